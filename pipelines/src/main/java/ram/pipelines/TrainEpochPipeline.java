package ram.pipelines;

import java.util.List;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

import ram.schemas.Advantage;
import ram.schemas.Metric;
import ram.schemas.Prompt;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.transforms.ApplyUpdate;
import ram.transforms.ComputeAdvantages;
import ram.transforms.DealToShards;
import ram.transforms.EpochSpec;
import ram.transforms.GroupKeys;
import ram.transforms.GroupOnWorkers;
import ram.transforms.LoadState;
import ram.transforms.OptimizerStep;
import ram.transforms.ScoreRewards;
import ram.transforms.SelectPrompts;
import ram.transforms.StoreFiles;
import ram.transforms.TrainingItem;
import ram.transforms.WriteCheckpoint;
import ram.transforms.WriteParquet;

/**
 * One training epoch as one Beam pipeline, in the order of the data-flow drawing:
 *
 * <pre>
 * SelectPrompts -> [algorithm's sampling] -> [samples] -> ScoreRewards -> [rewards] -> ComputeAdvantages
 *   -> [advantages] -> DealToShards -> (ComputeGradients -> SumGradients -> ApplyUpdate) x steps
 *   -> [checkpoint]
 * </pre>
 *
 * The epoch's {@link ram.transforms.algorithm.PostTrainingAlgorithm} decides what the stages in
 * brackets and the algorithm-dependent parts of the others do: RAM samples endpoints by the ODE
 * ({@code SampleEndpoints}), Flow-GRPO SDE rollouts ({@code SampleTrajectories}, which also writes
 * {@code trajectories/}); the advantages, each shard's gradient and the gradient's preparation
 * before the optimizer step are the algorithm's too.
 *
 * Everything lands under {@code epochDir}: {@code samples/}, {@code rewards/}, {@code advantages/},
 * {@code metrics/}, what the algorithm's sampling adds (Flow-GRPO: {@code trajectories/}, Parquet)
 * and {@code checkpoint/}. The driver writes into a temporary epoch
 * directory and publishes it only after the pipeline succeeds. States, gradients and Flow-GRPO's rollouts travel between
 * stages as files under {@code scratch/} (records carry their location), which the driver deletes.
 */
public final class TrainEpochPipeline {

  /** Where the epoch's stages pass states and gradients by location; the driver removes it before publishing. */
  public static final String SCRATCH = "scratch";

  private TrainEpochPipeline() {}

  /** @param groupKeys how the runner's shuffles key the prompt slots and the gradient shards (spreading them over its workers) */
  public static void build(Pipeline p, EpochSpec spec, List<Prompt> promptSet, int promptsPerEpoch, String epochDir,
      GroupKeys groupKeys) {
    PCollection<KV<Integer, Prompt>> prompts = p
        .apply("SelectPrompts", SelectPrompts.from(promptSet, spec.runSeed, spec.epoch, promptsPerEpoch))
        .apply("SpreadPrompts", GroupOnWorkers.spread(groupKeys, promptsPerEpoch));
    String scratch = StoreFiles.join(epochDir, SCRATCH);
    PCollection<Sample> samples = prompts.apply(spec.algorithm.sampling(spec, epochDir, scratch));
    samples.apply("WriteSamples", WriteParquet.to(StoreFiles.join(epochDir, "samples"), "samples", Sample.getClassSchema()));

    PCollection<Reward> rewards = samples.apply("ScoreRewards", new ScoreRewards(spec.rewardWeights, spec.rewardSettings));
    rewards.apply("WriteRewards", WriteParquet.to(StoreFiles.join(epochDir, "rewards"), "rewards", Reward.getClassSchema()));

    PCollectionTuple advantages = PCollectionTuple.of(ComputeAdvantages.SAMPLES, samples).and(ComputeAdvantages.REWARDS, rewards)
        .apply("ComputeAdvantages", new ComputeAdvantages(spec));
    advantages.get(ComputeAdvantages.ADVANTAGES).apply("WriteAdvantages",
        WriteParquet.to(StoreFiles.join(epochDir, "advantages"), "advantages", Advantage.getClassSchema()));

    PCollection<KV<Integer, Iterable<TrainingItem>>> dealt = advantages.get(ComputeAdvantages.ITEMS)
        .apply("DealToShards", new DealToShards(spec.optimizerSteps, spec.gradientShards, groupKeys));
    PCollection<String> state = p.apply("LoadState", new LoadState(spec, scratch));
    PCollectionList<Metric> metrics = PCollectionList.of(advantages.get(ComputeAdvantages.METRICS));
    for (int step = 0; step < spec.optimizerSteps; step++) {
      PCollectionTuple updated = dealt.apply(String.format("OptimizerStep%03d", step), new OptimizerStep(spec, step, state, scratch));
      state = updated.get(ApplyUpdate.STATE);
      metrics = metrics.and(updated.get(ApplyUpdate.METRICS));
    }
    state.apply("WriteCheckpoint", new WriteCheckpoint(StoreFiles.join(epochDir, "checkpoint"), spec));
    metrics.apply("AllMetrics", Flatten.pCollections())
        .apply("WriteMetrics", WriteParquet.to(StoreFiles.join(epochDir, "metrics"), "metrics", Metric.getClassSchema()));
  }
}
