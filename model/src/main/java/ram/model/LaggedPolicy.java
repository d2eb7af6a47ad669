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
    return ConfigNames.parse(values(), name, "lagged_policy");
  }

  /** The config value, as a sample's record stores it. */
  public String configName() {
    return ConfigNames.of(this);
  }
}
