package ram.pipelines;

import java.util.ArrayList;
import java.util.List;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

import ram.schemas.Prompt;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.transforms.EpochSpec;
import ram.transforms.GroupKeys;
import ram.transforms.GroupOnWorkers;
import ram.transforms.SampleEndpoints;
import ram.transforms.ScoreRewards;
import ram.transforms.StoreFiles;
import ram.transforms.WriteParquet;

/**
 * Batch evaluation of one checkpoint over one held-out prompt set, with fixed seeds: the same
 * stages as training's first half, into an evaluation unit of the store.
 *
 * <pre>
 * HeldOutPrompts -> SampleEndpoints -> [samples] -> ScoreRewards -> [rewards]
 *                -> SampleEndpoints(base, same noise) -> [base-samples]      (only for a tuned checkpoint)
 * </pre>
 */
public final class EvaluatePipeline {

  private EvaluatePipeline() {}

  /**
   * @param base the base model's sampling spec (same seeds) for the drift measure, or null
   * @param groupKeys how the runner's shuffles key the prompts (spreading them over its workers)
   */
  public static void build(Pipeline p, String name, List<Prompt> prompts, EpochSpec spec, int policyVersion, EpochSpec base,
      String unitDir, GroupKeys groupKeys) {
    List<KV<Integer, Prompt>> slots = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      slots.add(KV.of(i, prompts.get(i)));
    }
    PCollection<KV<Integer, Prompt>> heldOut = p.apply("HeldOutPrompts-" + name,
        Create.of(slots).withCoder(KvCoder.of(VarIntCoder.of(), AvroCoder.of(Prompt.class))))
        .apply("SpreadPrompts-" + name, GroupOnWorkers.spread(groupKeys, prompts.size()));
    PCollection<Sample> samples = heldOut.apply("SampleEndpoints-" + name, new SampleEndpoints(spec, policyVersion));
    samples.apply("WriteSamples-" + name, WriteParquet.to(StoreFiles.join(unitDir, "samples"), "samples", Sample.getClassSchema()));
    samples.apply("ScoreRewards-" + name, new ScoreRewards(spec.rewardWeights, spec.rewardSettings))
        .apply("WriteRewards-" + name, WriteParquet.to(StoreFiles.join(unitDir, "rewards"), "rewards", Reward.getClassSchema()));
    if (base != null) {
      heldOut.apply("SampleBase-" + name, new SampleEndpoints(base, 0))
          .apply("WriteBaseSamples-" + name, WriteParquet.to(StoreFiles.join(unitDir, "base-samples"), "samples", Sample.getClassSchema()));
    }
  }
}
