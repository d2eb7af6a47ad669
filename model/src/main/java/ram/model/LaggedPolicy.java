package ram.model;

/**
 * Which parameters stand for {@code v_old} in the RAM target (and draw the epoch's samples):
 * the EMA of the policy (the official recipe) or the current policy itself (the tutorial).
 */
public enum LaggedPolicy {
  EMA,
  CURRENT;

  /** Parses a config value: {@code ema} or {@code current}. */
  public static LaggedPolicy parse(String name) {
    return switch (name) {
      case "ema" -> EMA;
      case "current" -> CURRENT;
      default -> throw new IllegalArgumentException("unknown lagged policy '" + name + "'; expected ema or current");
    };
  }

  public String configName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
