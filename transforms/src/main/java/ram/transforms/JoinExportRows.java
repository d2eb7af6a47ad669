package ram.transforms;

import java.util.Map;
import java.util.TreeMap;

import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

import ram.schemas.Advantage;
import ram.schemas.ExportRow;
import ram.schemas.Reward;
import ram.schemas.Sample;

/**
 * Joins stored samples with every reward record and the advantage of each (by sample id) into
 * {@link ExportRow}s, keeping only samples whose reward {@code minRewardName} is at least
 * {@code minRewardValue} when a minimum is given. Rewards and advantages are optional inputs.
 */
public final class JoinExportRows extends PTransform<PCollectionTuple, PCollection<ExportRow>> {

  public static final TupleTag<Sample> SAMPLES = new TupleTag<>() {};
  public static final TupleTag<Reward> REWARDS = new TupleTag<>() {};
  public static final TupleTag<Advantage> ADVANTAGES = new TupleTag<>() {};

  private final String minRewardName;
  private final double minRewardValue;

  /** {@code minRewardName} null: keep every sample. */
  public JoinExportRows(String minRewardName, double minRewardValue) {
    this.minRewardName = minRewardName;
    this.minRewardValue = minRewardValue;
  }

  @Override
  public PCollection<ExportRow> expand(PCollectionTuple in) {
    TupleTag<Sample> s = new TupleTag<>();
    TupleTag<Reward> r = new TupleTag<>();
    TupleTag<Advantage> a = new TupleTag<>();
    KeyedPCollectionTuple<String> keyed = KeyedPCollectionTuple
        .of(s, in.get(SAMPLES).apply("SampleById", WithKeys.of((Sample x) -> x.getSampleId()).withKeyType(TypeDescriptors.strings())));
    if (in.has(REWARDS)) {
      keyed = keyed.and(r, in.get(REWARDS)
          .apply("RewardById", WithKeys.of((Reward x) -> x.getSampleId()).withKeyType(TypeDescriptors.strings())));
    }
    if (in.has(ADVANTAGES)) {
      keyed = keyed.and(a, in.get(ADVANTAGES)
          .apply("AdvantageById", WithKeys.of((Advantage x) -> x.getSampleId()).withKeyType(TypeDescriptors.strings())));
    }
    return keyed.apply("Join", CoGroupByKey.create())
        .apply("ToRows", ParDo.of(new ToRowFn(s, in.has(REWARDS) ? r : null, in.has(ADVANTAGES) ? a : null, minRewardName, minRewardValue)))
        .setCoder(AvroCoder.of(ExportRow.class));
  }

  private static final class ToRowFn extends DoFn<KV<String, CoGbkResult>, ExportRow> {
    private final TupleTag<Sample> samples;
    private final TupleTag<Reward> rewards;
    private final TupleTag<Advantage> advantages;
    private final String minRewardName;
    private final double minRewardValue;

    ToRowFn(TupleTag<Sample> samples, TupleTag<Reward> rewards, TupleTag<Advantage> advantages, String minRewardName,
        double minRewardValue) {
      this.samples = samples;
      this.rewards = rewards;
      this.advantages = advantages;
      this.minRewardName = minRewardName;
      this.minRewardValue = minRewardValue;
    }

    @ProcessElement
    public void process(@Element KV<String, CoGbkResult> joined, OutputReceiver<ExportRow> out) {
      Sample sample = null;
      for (Sample x : joined.getValue().getAll(samples)) {
        sample = x;
      }
      if (sample == null) {
        return; // a reward of a sample outside the export (another epoch's or a filtered one)
      }
      Map<String, Double> values = rewards == null ? Map.of() : ExportTable.rewardsByName(joined.getValue().getAll(rewards));
      if (minRewardName != null) {
        Double v = values.get(minRewardName);
        if (v == null || v < minRewardValue) {
          return;
        }
      }
      Double advantage = null;
      if (advantages != null) {
        for (Advantage x : joined.getValue().getAll(advantages)) {
          advantage = x.getAdvantage();
        }
      }
      out.output(ExportRow.newBuilder()
          .setSampleId(sample.getSampleId())
          .setEpoch(sample.getEpoch())
          .setPromptId(sample.getPromptId())
          .setPrompt(sample.getPrompt())
          .setTag(sample.getTag())
          .setPromptSlot(sample.getPromptSlot())
          .setGroupIndex(sample.getGroupIndex())
          .setSeed(sample.getSeed())
          .setPolicyVersion(sample.getPolicyVersion())
          .setRewards(new TreeMap<>(values))
          .setAdvantage(advantage)
          .setFileName(ExportTable.pngName(sample))
          .setEndpoint(Tensors.image(sample))
          .build());
    }
  }
}
