package ram.model;

/**
 * The lagged policy's update after each epoch (docs/algorithm.md section 2):
 * {@code theta_old <- d_e theta_old + (1 - d_e) theta} with {@code d_e = min(0.01 e, 0.9)}.
 */
public final class Ema {

  private Ema() {}

  /** The decay after epoch {@code e = 1, 2, ...}. */
  public static double decay(int epoch) {
    return Math.min(0.01 * epoch, 0.9);
  }

  /** A new parameter set: the EMA of {@code old} towards {@code theta} after {@code epoch}. */
  public static ParameterSet update(ParameterSet old, ParameterSet theta, int epoch) {
    old.requireSameLayout(theta);
    double d = decay(epoch);
    ParameterSet next = old.copy();
    for (String name : next.names()) {
      float[] o = next.get(name);
      float[] t = theta.get(name);
      for (int i = 0; i < o.length; i++) {
        o[i] = (float) (d * o[i] + (1 - d) * t[i]);
      }
    }
    return next;
  }
}
