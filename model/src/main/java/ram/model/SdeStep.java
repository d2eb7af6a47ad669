package ram.model;

import ai.djl.ndarray.NDArray;

/**
 * One step of Flow-GRPO's SDE sampler (docs/algorithm.md section 5), term by term. From time {@code s} to
 * {@code s' < s} ({@code dt = s' - s}) with guided velocity {@code v}:
 *
 * <pre>
 *   std   = a * sqrt(s / (1 - s))          (at s = 1 the denominator uses the grid's t_1)
 *   mu    = x + dt * (v + std^2 / (2 s) * (x + (1 - s) v))
 *   sigma = std * sqrt(-dt)
 *   x'    = mu + sigma * z,  z ~ N(0, I)
 *   log p = mean over dimensions of log N(x'; mu, sigma^2)
 * </pre>
 */
public final class SdeStep {

  private static final double LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

  private SdeStep() {}

  /** {@code a sqrt(s / (1 - s))}; {@code firstStepBelowOne} (the grid's t_1) replaces s in {@code 1 - s} when s = 1. */
  public static double std(double noiseLevel, double s, double firstStepBelowOne) {
    double denominator = 1 - (s >= 1 ? firstStepBelowOne : s);
    return noiseLevel * Math.sqrt(s / denominator);
  }

  /** The standard deviation of the step's Gaussian: {@code std sqrt(-dt)}. */
  public static double sigma(double std, double dt) {
    return std * Math.sqrt(-dt);
  }

  /** The mean of the step: {@code x + dt (v + std^2 / (2 s) (x + (1 - s) v))}. */
  public static NDArray mean(NDArray x, NDArray v, double s, double dt, double std) {
    NDArray drift = v.add(x.add(v.mul(Scalars.of(v, 1 - s))).mul(Scalars.of(v, std * std / (2 * s))));
    return x.add(drift.mul(Scalars.of(x, dt)));
  }

  /** Per row ({@code [B]}): the mean over dimensions of the log-density of {@code next} under N(mu, sigma^2). */
  public static NDArray logProb(NDArray next, NDArray mu, double sigma) {
    NDArray squared = next.sub(mu).square().div(Scalars.of(mu, 2 * sigma * sigma));
    return RamLoss.meanOverSampleDims(squared).neg().sub((float) (Math.log(sigma) + LOG_SQRT_TWO_PI));
  }
}
