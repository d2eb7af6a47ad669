package ram.pipelines;

import java.util.List;
import java.util.Map;

import org.apache.beam.sdk.Pipeline;

import ram.rewards.RewardSettings;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.transforms.ReadRecords;
import ram.transforms.ScoreRewards;
import ram.transforms.WriteParquet;

/**
 * Replays stored samples through a reward: no sampling, no model. One branch per stored unit
 * (epoch or evaluation directory):
 *
 * <pre>
 * ReadSamples -> ScoreRewards({reward}) -> WriteRewards (beside the unit's old rewards)
 * </pre>
 */
public final class RescorePipeline {

  /** One unit of the store to rescore: its samples files and the directory its rewards go to. */
  public record Source(String name, List<String> sampleFiles, String rewardsDir) {}

  private RescorePipeline() {}

  /** Adds one branch per source, scoring with {@code reward} created from {@code settings}. */
  public static void build(Pipeline p, List<Source> sources, String reward, RewardSettings settings) {
    for (Source s : sources) {
      p.apply("ReadSamples-" + s.name(), ReadRecords.of(Sample.class, s.sampleFiles()))
          .apply("ScoreRewards-" + s.name(), new ScoreRewards(Map.of(reward, 1.0), settings))
          .apply("WriteRewards-" + s.name(), WriteParquet.to(s.rewardsDir(), "rewards", Reward.getClassSchema()));
    }
  }
}
