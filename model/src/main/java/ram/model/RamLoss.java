package ram.model;

import ai.djl.ndarray.NDArray;

/**
 * The RAM regression of docs/algorithm.md section 3, term by term.
 *
 * <pre>
 *   x_t    = (1 - t) * x + t * eps
 *   target = v_ref + m * A * ((eps - x) - v_old)     (a constant: no gradient flows into it)
 *   loss   = mean over dimensions of (v_theta - target)^2
 * </pre>
 *
 * The paper/tutorial variant is the same loss with {@code v_old} taken from a no-gradient forward
 * of the current policy and {@code A} the raw reward (then {@code m} plays beta's role).
 */
public final class RamLoss {

  private RamLoss() {}

  /** The re-noised input {@code x_t = (1 - t) x + t eps}; {@code t} broadcasts over sample dims. */
  public static NDArray noised(NDArray x, NDArray eps, NDArray t) {
    return x.mul(t.neg().add(1)).add(eps.mul(t));
  }

  /** The flow-matching velocity of the pair: {@code eps - x}. */
  public static NDArray pairVelocity(NDArray x, NDArray eps) {
    return eps.sub(x);
  }

  /**
   * The reward-corrected target {@code v_ref + signal * ((eps - x) - v_old)}, with
   * {@code signal = m * A} per item (broadcast over sample dims).
   */
  public static NDArray target(NDArray vRef, NDArray vOld, NDArray x, NDArray eps, NDArray signal) {
    NDArray correction = pairVelocity(x, eps).sub(vOld);
    return vRef.add(correction.mul(signal));
  }

  /** Per item: the mean over sample dimensions of {@code (v_theta - target)^2}, shape {@code [N]}. */
  public static NDArray perItem(NDArray vTheta, NDArray target) {
    NDArray sq = vTheta.sub(target).square();
    return meanOverSampleDims(sq);
  }

  /** Mean over all axes but the first. */
  public static NDArray meanOverSampleDims(NDArray a) {
    return a.reshape(a.getShape().get(0), -1).mean(new int[] {1});
  }
}
