package ram.transforms.algorithm;

import java.util.Arrays;

/**
 * The learning signal of each sample of a {@link RewardGroup}, in the same order, and whether it
 * trains: a sample that does not train keeps its advantage record but yields no training item.
 */
public record GroupAdvantages(double[] advantages, boolean[] trains) {

  public GroupAdvantages {
    if (advantages.length != trains.length) {
      throw new IllegalArgumentException(advantages.length + " advantages but " + trains.length + " training flags");
    }
  }

  /** Every sample trains. */
  public static GroupAdvantages allTrain(double[] advantages) {
    boolean[] trains = new boolean[advantages.length];
    Arrays.fill(trains, true);
    return new GroupAdvantages(advantages, trains);
  }

  /** No sample of the group trains. */
  public static GroupAdvantages noneTrain(double[] advantages) {
    return new GroupAdvantages(advantages, new boolean[advantages.length]);
  }

  public double advantage(int i) {
    return advantages[i];
  }

  public boolean trains(int i) {
    return trains[i];
  }
}
