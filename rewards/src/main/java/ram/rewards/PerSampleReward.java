package ram.rewards;

import java.util.ArrayList;
import java.util.List;

/**
 * A reward that scores each sample on its own: subclasses say how to score one sample, and any
 * exception it throws becomes that sample's error record, never a failed batch.
 */
public abstract class PerSampleReward implements Reward {

  private final String name;
  private final String version;

  protected PerSampleReward(String name, String version) {
    this.name = name;
    this.version = version;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final String version() {
    return version;
  }

  /** The reward of one sample; throw with a clear message when it cannot be scored. */
  protected abstract double scoreOne(RewardInput input);

  @Override
  public List<RewardResult> score(List<RewardInput> batch) {
    List<RewardResult> results = new ArrayList<>(batch.size());
    for (RewardInput in : batch) {
      try {
        results.add(RewardResult.of(scoreOne(in)));
      } catch (RuntimeException e) {
        results.add(RewardResult.failed(name + ": sample " + in.sampleId() + ": " + e.getMessage()));
      }
    }
    return results;
  }
}
