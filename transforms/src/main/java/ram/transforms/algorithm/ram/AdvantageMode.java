package ram.transforms.algorithm.ram;

import ram.model.ConfigNames;

/** How RAM forms advantages from rewards ({@code advantage}). */
public enum AdvantageMode {
  /** {@code (r - group mean) / (std of all epoch rewards + 1e-4)}: the official recipe. */
  GROUP_NORMALIZED,
  /** the raw reward, as in the tutorial's {@code beta * r}. */
  RAW_REWARD,
  /**
   * the positive part of {@link #GROUP_NORMALIZED}: only above-average images pull the velocity
   * towards their own flow, the rest are distilled towards {@code v_ref}. An experiment, not the
   * paper's estimator (it is biased): docs/post-training.md.
   */
  GROUP_NORMALIZED_POSITIVE,
  /**
   * 1 for the images that score their group's best, where the group's rewards differ, else 0:
   * with {@code reward_multiplier: 1} the update is flow matching on each prompt's best images,
   * anchored to {@code v_ref} (rejection-sampling fine-tuning). A diagnostic, not RAM's estimator:
   * docs/post-training.md.
   */
  BEST_OF_GROUP;

  /** Keeps a normalised advantage finite when every reward of the epoch is equal. */
  public static final double STD_EPSILON = 1e-4;

  public static AdvantageMode parse(String s) {
    return ConfigNames.parse(values(), s, "advantage");
  }

  /**
   * The advantage of a reward {@code r} in a group of mean {@code groupMean} and best reward
   * {@code groupBest}, the epoch's rewards having std {@code std}.
   */
  public double of(double r, double groupMean, double groupBest, double std) {
    return switch (this) {
      case GROUP_NORMALIZED -> (r - groupMean) / (std + STD_EPSILON);
      case RAW_REWARD -> r;
      case GROUP_NORMALIZED_POSITIVE -> Math.max(0, GROUP_NORMALIZED.of(r, groupMean, groupBest, std));
      case BEST_OF_GROUP -> r == groupBest && groupBest > groupMean ? 1 : 0;
    };
  }
}
