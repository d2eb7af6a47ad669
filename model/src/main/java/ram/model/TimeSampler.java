package ram.model;

/**
 * Draws the re-noising time of a training item from a uniform number {@code u}.
 *
 * <p>{@link #SQRT_UNIFORM} is RAM's {@code t = sqrt(U)} (density 2t, so noisier times are drawn
 * more often); {@link #UNIFORM} is pretraining's and the tutorial's {@code t ~ U(0,1)}. Both
 * clamp at {@code 1e-5} so that no item sits exactly on the data.
 */
public enum TimeSampler {
  UNIFORM,
  SQRT_UNIFORM;

  public static final double MIN_TIME = 1e-5;

  /** The time for a uniform draw {@code u} in [0, 1). */
  public double time(double u) {
    double t = this == SQRT_UNIFORM ? Math.sqrt(u) : u;
    return Math.max(t, MIN_TIME);
  }

  /** Parses a config value: {@code uniform} or {@code sqrt_uniform}. */
  public static TimeSampler parse(String name) {
    return switch (name) {
      case "uniform" -> UNIFORM;
      case "sqrt_uniform" -> SQRT_UNIFORM;
      default -> throw new IllegalArgumentException("unknown time sampler '" + name + "'; expected uniform or sqrt_uniform");
    };
  }
}
