package ram.model;

/**
 * Draws the re-noising time of a training item from a uniform number {@code u}.
 *
 * <p>{@link #SQRT_UNIFORM} is RAM's {@code t = sqrt(U)} (density 2t, so noisier times are drawn
 * more often); {@link #UNIFORM} is pretraining's and the tutorial's {@code t ~ U(0,1)};
 * {@link #CBRT_UNIFORM} ({@code t = U^(1/3)}, density 3t^2) leans further towards noise, where an
 * image's layout is decided, for experiments (docs/research/update-rule.md). All clamp at {@code 1e-5} so
 * that no item sits exactly on the data.
 */
public enum TimeSampler {
  UNIFORM,
  SQRT_UNIFORM,
  CBRT_UNIFORM;

  public static final double MIN_TIME = 1e-5;

  /** The time for a uniform draw {@code u} in [0, 1). */
  public double time(double u) {
    double t = switch (this) {
      case UNIFORM -> u;
      case SQRT_UNIFORM -> Math.sqrt(u);
      case CBRT_UNIFORM -> Math.cbrt(u);
    };
    return Math.max(t, MIN_TIME);
  }

  /** Parses a config value: {@code uniform}, {@code sqrt_uniform} or {@code cbrt_uniform}. */
  public static TimeSampler parse(String name) {
    return ConfigNames.parse(values(), name, "time_sampler");
  }
}
