package ram.transforms;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

import ram.schemas.Advantage;
import ram.schemas.Metric;
import ram.schemas.Reward;
import ram.schemas.Sample;

/**
 * Turns the training reward into each sample's learning signal (docs/algorithm.md section 3, step 3):
 * {@code A = (r - mean of its prompt's rewards) / (std of all epoch rewards + 1e-4)}, or the raw
 * reward in the tutorial variant. Samples whose reward failed get no signal. For Flow-GRPO
 * (docs/algorithm.md section 5) the advantage is clipped to {@code +-advantage_clip} and groups whose rewards
 * are all equal yield no training items. Also emits the epoch's reward diagnostics.
 */
public final class ComputeAdvantages extends PTransform<PCollectionTuple, PCollectionTuple> {

  public static final TupleTag<Sample> SAMPLES = new TupleTag<>() {};
  public static final TupleTag<Reward> REWARDS = new TupleTag<>() {};
  public static final TupleTag<Advantage> ADVANTAGES = new TupleTag<>() {};
  public static final TupleTag<TrainingItem> ITEMS = new TupleTag<>() {};
  public static final TupleTag<Metric> METRICS = new TupleTag<>() {};

  private final EpochSpec spec;

  public ComputeAdvantages(EpochSpec spec) {
    this.spec = spec;
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple input) {
    String trainingReward = spec.trainingRewardName();
    PCollection<Reward> rewards = input.get(REWARDS)
        .apply("TrainingReward", Filter.by((Reward r) -> r.getRewardName().equals(trainingReward)));
    PCollectionView<RewardStats> stats = rewards
        .apply("AsEntries", MapElements.into(new TypeDescriptor<KV<String, RewardStats.Entry>>() {})
            .via((Reward r) -> KV.of(r.getSampleId(),
                new RewardStats.Entry(r.getPromptId(), r.getValue() == null ? Double.NaN : r.getValue()))))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(RewardStats.Entry.class)))
        .apply("Stats", Combine.globally(new RewardStats.Fn()))
        .apply("StatsView", View.asSingleton());

    TupleTag<Sample> samplesByPrompt = new TupleTag<>();
    TupleTag<Reward> rewardsByPrompt = new TupleTag<>();
    PCollection<KV<String, CoGbkResult>> groups = KeyedPCollectionTuple
        .of(samplesByPrompt, input.get(SAMPLES).apply("SamplesByPrompt",
            WithKeys.of((Sample s) -> s.getPromptId()).withKeyType(TypeDescriptors.strings())))
        .and(rewardsByPrompt, rewards.apply("RewardsByPrompt",
            WithKeys.of((Reward r) -> r.getPromptId()).withKeyType(TypeDescriptors.strings())))
        .apply("GroupByPrompt", CoGroupByKey.create());

    PCollectionTuple out = groups.apply("Advantage",
        ParDo.of(new AdvantageFn(spec, stats, samplesByPrompt, rewardsByPrompt)).withSideInputs(stats)
            .withOutputTags(ADVANTAGES, TupleTagList.of(ITEMS)));
    out.get(ADVANTAGES).setCoder(AvroCoder.of(Advantage.class));
    out.get(ITEMS).setCoder(SerializableCoder.of(TrainingItem.class));

    PCollection<Metric> metrics = input.getPipeline()
        .apply("One", org.apache.beam.sdk.transforms.Create.of(0))
        .apply("RewardMetrics", ParDo.of(new MetricsFn(spec.epoch, stats)).withSideInputs(stats))
        .setCoder(AvroCoder.of(Metric.class));
    return PCollectionTuple.of(ADVANTAGES, out.get(ADVANTAGES)).and(ITEMS, out.get(ITEMS)).and(METRICS, metrics);
  }

  private static final class AdvantageFn extends DoFn<KV<String, CoGbkResult>, Advantage> {
    private final EpochSpec spec;
    private final PCollectionView<RewardStats> stats;
    private final TupleTag<Sample> samplesTag;
    private final TupleTag<Reward> rewardsTag;

    AdvantageFn(EpochSpec spec, PCollectionView<RewardStats> stats, TupleTag<Sample> samplesTag, TupleTag<Reward> rewardsTag) {
      this.spec = spec;
      this.stats = stats;
      this.samplesTag = samplesTag;
      this.rewardsTag = rewardsTag;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      RewardStats s = c.sideInput(stats);
      TreeMap<String, Double> values = new TreeMap<>();
      for (Reward r : c.element().getValue().getAll(rewardsTag)) {
        if (r.getValue() != null) {
          values.put(r.getSampleId(), r.getValue());
        }
      }
      if (values.isEmpty()) {
        return;
      }
      double sum = 0;
      for (double v : values.values()) {
        sum += v;
      }
      double groupMean = sum / values.size();
      boolean uniform = values.values().stream().distinct().count() == 1;
      boolean trains = !(spec.isGrpo() && uniform);
      List<Sample> samples = new ArrayList<>();
      c.element().getValue().getAll(samplesTag).forEach(samples::add);
      samples.sort((a, b) -> a.getSampleId().compareTo(b.getSampleId()));
      for (Sample sample : samples) {
        Double r = values.get(sample.getSampleId());
        if (r == null) {
          continue;
        }
        double advantage = spec.advantageMode.of(r, groupMean, s.std);
        if (spec.isGrpo()) {
          double clip = spec.grpo.advantageClip;
          advantage = Math.max(-clip, Math.min(clip, advantage));
        }
        c.output(Advantage.newBuilder().setSampleId(sample.getSampleId()).setEpoch(sample.getEpoch())
            .setPromptId(sample.getPromptId()).setReward(r).setGroupMean(groupMean).setGlobalStd(s.std)
            .setAdvantage(advantage).build());
        if (trains) {
          c.output(ITEMS, new TrainingItem(sample.getSampleId(), sample.getPrompt(), Tensors.values(sample.getEndpoint()),
              advantage, sample.getPromptSlot() % spec.optimizerSteps));
        }
      }
    }
  }

  private static final class MetricsFn extends DoFn<Integer, Metric> {
    private final int epoch;
    private final PCollectionView<RewardStats> stats;

    MetricsFn(int epoch, PCollectionView<RewardStats> stats) {
      this.epoch = epoch;
      this.stats = stats;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      RewardStats s = c.sideInput(stats);
      Map<String, Double> values = new TreeMap<>();
      values.put("reward_mean", s.mean);
      values.put("reward_std", s.std);
      values.put("reward_count", (double) s.count);
      values.put("reward_errors", (double) s.errors);
      values.put("frac_groups_all_equal", s.fractionGroupsAllEqual);
      values.forEach((k, v) -> c.output(Metric.newBuilder().setEpoch(epoch).setStep(null).setName(k).setValue(v).build()));
    }
  }
}
