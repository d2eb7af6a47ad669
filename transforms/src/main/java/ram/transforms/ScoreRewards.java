package ram.transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;

import ram.rewards.Reward;
import ram.rewards.RewardInput;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardResult;
import ram.rewards.RewardSettings;
import ram.rewards.WeightedRewards;
import ram.schemas.Sample;

/**
 * Scores samples with a set of named rewards, one batch per prompt group. Every sample gets one
 * record per reward: a value, or the error that prevented scoring (never a failed bundle). With
 * several rewards, a record named {@value #WEIGHTED} holds their weighted sum. Each worker creates
 * its own rewards from the names and the config's reward settings.
 */
public final class ScoreRewards extends PTransform<PCollection<Sample>, PCollection<ram.schemas.Reward>> {

  public static final String WEIGHTED = "weighted";
  private final TreeMap<String, Double> weights;
  private final RewardSettings settings;

  /** Scores with the named rewards, each created from {@code settings} (see {@code RunConfig.rewardSettings}). */
  public ScoreRewards(Map<String, Double> weights, RewardSettings settings) {
    for (String name : weights.keySet()) {
      RewardRegistry.create(name, settings).close(); // fail at construction on an unknown name or unusable settings
    }
    this.weights = new TreeMap<>(weights);
    this.settings = settings;
  }

  @Override
  public PCollection<ram.schemas.Reward> expand(PCollection<Sample> samples) {
    return samples
        .apply("ByPrompt", WithKeys.of((Sample s) -> s.getPromptId()).withKeyType(TypeDescriptors.strings()))
        .apply("Group", GroupByKey.create())
        .apply("Score", ParDo.of(new ScoreFn(weights, settings)))
        .setCoder(AvroCoder.of(ram.schemas.Reward.class));
  }

  private static final class ScoreFn extends DoFn<KV<String, Iterable<Sample>>, ram.schemas.Reward> {
    private final TreeMap<String, Double> weights;
    private final RewardSettings settings;
    private transient Map<String, Reward> rewards;
    private final StageTimer timer = StageTimer.of("reward");

    ScoreFn(TreeMap<String, Double> weights, RewardSettings settings) {
      this.weights = weights;
      this.settings = settings;
    }

    @Setup
    public void setup() {
      rewards = new LinkedHashMap<>();
      for (String name : weights.keySet()) {
        rewards.put(name, RewardRegistry.create(name, settings));
      }
    }

    @Teardown
    public void teardown() {
      if (rewards != null) {
        rewards.values().forEach(Reward::close);
      }
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Sample>> group, OutputReceiver<ram.schemas.Reward> out) {
      List<Sample> batch = new ArrayList<>();
      group.getValue().forEach(batch::add);
      batch.sort((a, b) -> a.getSampleId().compareTo(b.getSampleId()));
      List<RewardInput> inputs = new ArrayList<>(batch.size());
      for (Sample s : batch) {
        inputs.add(new RewardInput(s.getSampleId(), Tensors.values(Tensors.image(s)), Tensors.shape(Tensors.image(s)),
            s.getPrompt(), s.getMetadataJson()));
      }
      Map<String, List<RewardResult>> results = new LinkedHashMap<>();
      for (Map.Entry<String, Reward> e : rewards.entrySet()) {
        List<RewardResult> scored = timer.time(() -> scoreSafely(e.getValue(), inputs));
        results.put(e.getKey(), scored);
        for (int i = 0; i < batch.size(); i++) {
          out.output(record(batch.get(i), e.getValue().name(), e.getValue().version(), scored.get(i)));
        }
      }
      if (rewards.size() > 1) {
        List<RewardResult> total = WeightedRewards.combine(weights, results, batch.size());
        for (int i = 0; i < batch.size(); i++) {
          out.output(record(batch.get(i), WEIGHTED, weights.toString(), total.get(i)));
        }
      }
      if (!batch.isEmpty()) {
        FaultInjection.reach("reward", batch.get(0).getEpoch());
      }
    }

    /** A reward that throws fails every sample of the batch with its message, not the pipeline. */
    private static List<RewardResult> scoreSafely(Reward reward, List<RewardInput> inputs) {
      try {
        List<RewardResult> results = reward.score(inputs);
        if (results.size() != inputs.size()) {
          throw new IllegalStateException("returned " + results.size() + " results for " + inputs.size() + " samples");
        }
        return results;
      } catch (RuntimeException e) {
        List<RewardResult> failed = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
          failed.add(RewardResult.failed(reward.name() + " failed: " + e));
        }
        return failed;
      }
    }

    private static ram.schemas.Reward record(Sample s, String name, String version, RewardResult r) {
      return ram.schemas.Reward.newBuilder()
          .setSampleId(s.getSampleId())
          .setEpoch(s.getEpoch())
          .setPromptId(s.getPromptId())
          .setRewardName(name)
          .setRewardVersion(version)
          .setValue(r.value())
          .setError(r.error())
          .build();
    }
  }
}
