package ram.model;

import ai.djl.ndarray.NDArray;

/**
 * The clipped GRPO objective of Flow-GRPO (docs/algorithm.md section 5), term by term, per trained step of
 * a rollout:
 *
 * <pre>
 *   ratio  = exp(logp_theta - logp_old)
 *   policy = max(-A * ratio, -A * clip(ratio, 1 - eps, 1 + eps))
 *   kl     = mean over dimensions of (mu_theta - mu_ref)^2 / (2 sigma^2)
 *   loss   = policy + beta_kl * kl
 * </pre>
 */
public final class GrpoLoss {

  private GrpoLoss() {}

  /** {@code exp(logp_theta - logp_old)}, per row. */
  public static NDArray ratio(NDArray logProbTheta, NDArray logProbOld) {
    return logProbTheta.sub(logProbOld).exp();
  }

  /** {@code max(-A ratio, -A clip(ratio, 1 - eps, 1 + eps))}, per row. */
  public static NDArray policy(NDArray ratio, NDArray advantage, double clipRange) {
    NDArray unclipped = advantage.neg().mul(ratio);
    NDArray clipped = advantage.neg().mul(ratio.clip(1 - clipRange, 1 + clipRange));
    return unclipped.maximum(clipped);
  }

  /** {@code mean (mu_theta - mu_ref)^2 / (2 sigma^2)}, per row: the KL of the two steps' Gaussians. */
  public static NDArray kl(NDArray meanTheta, NDArray meanReference, double sigma) {
    return RamLoss.meanOverSampleDims(meanTheta.sub(meanReference).square()).div(Scalars.of(meanTheta, 2 * sigma * sigma));
  }
}
