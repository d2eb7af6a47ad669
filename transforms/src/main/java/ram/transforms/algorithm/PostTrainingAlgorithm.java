package ram.transforms.algorithm;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

import ram.model.ParameterSet;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;
import ram.schemas.Prompt;
import ram.schemas.Sample;
import ram.transforms.EpochSpec;
import ram.transforms.TrainingItem;

/**
 * A post-training algorithm: what an epoch of the training pipeline does differently from one
 * algorithm to another. The stages of the epoch (prompt selection, reward scoring, dealing items to
 * shards, summing gradients, the optimizer, the checkpoint) are shared; each stage that depends on
 * the algorithm calls it through this interface instead of branching on it. RAM
 * ({@code docs/algorithm.md} section 3) and Flow-GRPO (section 5) implement it, each in its own
 * package; {@link Algorithms} maps the config's {@code algorithm:} name to an implementation.
 *
 * <p>An algorithm must provide, in the order of an epoch:
 * <ol>
 *   <li>{@link #sampling}: the stage that draws G samples per prompt slot (RAM: clean endpoints by
 *       the ODE sampler; Flow-GRPO: SDE rollouts, whose states it keeps for its update);</li>
 *   <li>{@link #advantages}: each sample's learning signal from its group's rewards, and which of
 *       the group's samples train;</li>
 *   <li>{@link #shardGradient}: the gradient of the summed loss of one shard's training items;</li>
 *   <li>{@link #prepareGradient}: any change to the step's mean gradient before the optimizer;</li>
 *   <li>the diagnostics it adds: the per-item sums of {@link ShardGradient#sums()},
 *       {@link #stepMetrics} and the driver's {@link #progressMetrics}.</li>
 * </ol>
 *
 * <p>An implementation is an immutable, serializable value holding its own settings: it travels
 * to the workers inside {@link EpochSpec}. Its methods are plain calls (no Beam state), so that
 * the stages stay thin and the algorithm can be tested without a pipeline.
 */
public interface PostTrainingAlgorithm extends Serializable {

  /** The config's name of the algorithm ({@code algorithm: <name>}). */
  String name();

  /**
   * The epoch's sampling stage: G samples per prompt slot, from the parameters of the previous
   * epoch, as {@link Sample} records (the endpoint is what the rewards score). Anything else it
   * keeps goes under {@code epochDir} (published with the epoch) or {@code scratch} (for the update,
   * deleted before publishing).
   */
  PTransform<PCollection<KV<Integer, Prompt>>, PCollection<Sample>> sampling(EpochSpec spec, String epochDir, String scratch);

  /**
   * The learning signal of each sample of one prompt's group from the group's rewards (in sample-id
   * order), the std of all the epoch's rewards being {@code epochRewardStd}; and which samples train.
   */
  GroupAdvantages advantages(RewardGroup group, double epochRewardStd);

  /**
   * The gradient, against {@code state}'s parameters, of the summed loss of one shard's training
   * items (sorted by sample id, never empty). {@code reference} is the frozen base's velocity's
   * parameters; {@code scratch} holds what {@link #sampling} left for the update.
   */
  ShardGradient shardGradient(EpochSpec spec, VelocityNetwork network, TrainingState state, ParameterSet reference,
      List<TrainingItem> items, String scratch);

  /** Changes the step's mean gradient in place before the optimizer step (e.g. a norm clip); by default, nothing. */
  default void prepareGradient(ParameterSet meanGradient) {}

  /**
   * The step's metrics beyond the mean of each of the shards' sums, given the norm of the mean
   * gradient before {@link #prepareGradient}; by default none.
   */
  default Map<String, Double> stepMetrics(double meanGradientNorm) {
    return Map.of();
  }

  /** The epoch means the driver prints on its progress line after the reward, in order. */
  List<ProgressMetric> progressMetrics();
}
