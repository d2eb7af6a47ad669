package ram.rewards;

/**
 * The outcome of scoring one sample: exactly one of {@code value} and {@code error} is non-null.
 *
 * @param value the reward, finite
 * @param error why the sample could not be scored
 */
public record RewardResult(Double value, String error) {

  public RewardResult {
    if ((value == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of value and error must be set");
    }
    if (value != null && !Double.isFinite(value)) {
      throw new IllegalArgumentException("reward value must be finite, got " + value);
    }
  }

  public static RewardResult of(double value) {
    return Double.isFinite(value) ? new RewardResult(value, null) : failed("non-finite reward " + value);
  }

  public static RewardResult failed(String error) {
    return new RewardResult(null, error);
  }

  public boolean ok() {
    return value != null;
  }
}
