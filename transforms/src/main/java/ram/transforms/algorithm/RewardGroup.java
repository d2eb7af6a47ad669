package ram.transforms.algorithm;

import java.util.Arrays;

/**
 * The training rewards of one prompt's group of samples, in sample-id order, with the summaries
 * the advantage rules use. Samples whose reward failed are not in it.
 */
public final class RewardGroup {

  private final double[] rewards;
  private final double mean;
  private final double best;
  private final boolean allEqual;

  /** @param rewards the group's rewards in sample-id order; at least one */
  public RewardGroup(double[] rewards) {
    if (rewards.length == 0) {
      throw new IllegalArgumentException("a reward group needs at least one reward");
    }
    this.rewards = rewards.clone();
    double sum = 0;
    double max = Double.NEGATIVE_INFINITY;
    for (double r : rewards) {
      sum += r;
      max = Math.max(max, r);
    }
    this.mean = sum / rewards.length;
    this.best = max;
    this.allEqual = Arrays.stream(rewards).boxed().distinct().count() == 1;
  }

  public int size() {
    return rewards.length;
  }

  /** The reward of the group's i-th sample. */
  public double reward(int i) {
    return rewards[i];
  }

  public double mean() {
    return mean;
  }

  public double best() {
    return best;
  }

  /** Whether every reward of the group is the same: the group carries no preference. */
  public boolean allEqual() {
    return allEqual;
  }
}
