package ram.rewards;

import java.util.Arrays;

/**
 * The reward of the 2-D ring benchmark (docs/algorithm.md section 4): a Gaussian bump around (4, 0),
 * {@code r(x) = exp(-||x - (4,0)||^2 / (2 * 2.5^2))}. It favours the ring's rightmost mode.
 */
public final class ToyRingReward extends PerSampleReward {

  public static final String NAME = "toy2d";
  /** Where the reward is 1, and its width (a standard deviation): for drawing it next to samples. */
  public static final double CENTER_X = 4.0;
  public static final double CENTER_Y = 0.0;
  public static final double WIDTH = 2.5;

  public ToyRingReward() {
    super(NAME, "1");
  }

  @Override
  protected double scoreOne(RewardInput in) {
    if (in.shape().length != 1 || in.shape()[0] != 2 || in.data().length != 2) {
      throw new IllegalArgumentException("expected a point of shape [2], got " + Arrays.toString(in.shape()));
    }
    double dx = in.data()[0] - CENTER_X;
    double dy = in.data()[1] - CENTER_Y;
    if (!Double.isFinite(dx) || !Double.isFinite(dy)) {
      throw new IllegalArgumentException("non-finite sample " + Arrays.toString(in.data()));
    }
    return Math.exp(-(dx * dx + dy * dy) / (2 * WIDTH * WIDTH));
  }
}
