package ram.model;

import ai.djl.ndarray.NDArray;

/**
 * The clipped GRPO objective of Flow-GRPO (docs/algorithm.md section 5), term by term, per trained step of
 * a rollout:
 *
 * <pre>
 *   ratio  = exp(logp_theta - logp_old)
 *   policy = max(-A * ratio, -A * clip(ratio, 1 - eps, 1 + eps))
 *   kl     = mean over dimensions of (mu_theta - mu_ref)^2 / (2 std^2)
 *   loss   = policy + beta_kl * kl
 * </pre>
 *
 * {@code std = a sqrt(s / (1 - s))} is the step's {@link SdeStep#std}, without the {@code sqrt(-dt)} of the
 * step's own standard deviation {@code sigma}: Flow-GRPO's reference ({@code yifan123/flow_grpo},
 * {@code train_sd3.py}) divides by its {@code std_dev_t}, so its KL term is the Gaussians' KL times
 * {@code |dt|}, and {@code beta_kl} weighs the same quantity as there.
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

  /**
   * {@code mean (mu_theta - mu_ref)^2 / (2 std^2)}, per row, with {@code std} the step's {@link SdeStep#std}
   * (not {@link SdeStep#sigma}): the reference's KL term.
   */
  public static NDArray kl(NDArray meanTheta, NDArray meanReference, double std) {
    return RamLoss.meanOverSampleDims(meanTheta.sub(meanReference).square()).div(Scalars.of(meanTheta, 2 * std * std));
  }
}
