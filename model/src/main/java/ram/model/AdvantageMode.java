package ram.model;

/** How RAM forms an endpoint's advantage from rewards (docs/algorithm.md section 3). */
public enum AdvantageMode {
  /** {@code (r - group mean) / (std of all epoch rewards + 1e-4)}: the recipe. */
  GROUP_NORMALIZED,
  /** the raw reward, as in the tutorial's {@code beta * r}. */
  RAW_REWARD;

  /** Keeps a normalised advantage finite when every reward of the epoch is equal. */
  public static final double STD_EPSILON = 1e-4;

  public static AdvantageMode parse(String s) {
    return ConfigNames.parse(values(), s, "advantage");
  }

  /** The advantage of a reward {@code r} in a group of mean {@code groupMean}, the epoch's rewards having std {@code std}. */
  public double of(double r, double groupMean, double std) {
    return switch (this) {
      case GROUP_NORMALIZED -> (r - groupMean) / (std + STD_EPSILON);
      case RAW_REWARD -> r;
    };
  }
}
