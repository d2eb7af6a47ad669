package ram.rewards;

import java.util.ArrayList;
import java.util.List;

/**
 * The reward of the 2-D ring benchmark (ram.md section 4): a Gaussian bump around (4, 0),
 * {@code r(x) = exp(-||x - (4,0)||^2 / (2 * 2.5^2))}. It favours the ring's rightmost mode.
 */
public final class ToyRingReward implements Reward {

  public static final String NAME = "toy2d";
  private static final double CENTER_X = 4.0;
  private static final double CENTER_Y = 0.0;
  private static final double WIDTH = 2.5;

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String version() {
    return "1";
  }

  @Override
  public List<RewardResult> score(List<RewardInput> batch) {
    List<RewardResult> results = new ArrayList<>(batch.size());
    for (RewardInput in : batch) {
      results.add(scoreOne(in));
    }
    return results;
  }

  private static RewardResult scoreOne(RewardInput in) {
    if (in.shape().length != 1 || in.shape()[0] != 2 || in.data().length != 2) {
      return RewardResult.failed("toy2d expects a point of shape [2], got " + java.util.Arrays.toString(in.shape()));
    }
    double dx = in.data()[0] - CENTER_X;
    double dy = in.data()[1] - CENTER_Y;
    if (!Double.isFinite(dx) || !Double.isFinite(dy)) {
      return RewardResult.failed("non-finite sample " + java.util.Arrays.toString(in.data()));
    }
    return RewardResult.of(Math.exp(-(dx * dx + dy * dy) / (2 * WIDTH * WIDTH)));
  }
}
