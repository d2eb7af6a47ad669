package ram.transforms.algorithm.flowgrpo;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

import ram.config.ConfigException;
import ram.config.FlowGrpoSettings;
import ram.config.RunConfig;
import ram.model.GrpoGradient;
import ram.model.ParameterSet;
import ram.model.SdeSampler;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;
import ram.schemas.Prompt;
import ram.schemas.Sample;
import ram.transforms.EpochSpec;
import ram.transforms.StoreFiles;
import ram.transforms.TrainingItem;
import ram.transforms.algorithm.GroupAdvantages;
import ram.transforms.algorithm.PostTrainingAlgorithm;
import ram.transforms.algorithm.ProgressMetric;
import ram.transforms.algorithm.RewardGroup;
import ram.transforms.algorithm.ShardGradient;

/**
 * The Flow-GRPO baseline (docs/algorithm.md section 5): on-policy SDE rollouts of the current
 * policy at noise level {@code noiseLevel}; advantages normalised by the group's mean and the
 * epoch's std, clipped to {@code +-advantageClip}, with groups whose rewards are all equal left out
 * of training; the clipped-ratio loss ({@code clipRange}) plus {@code betaKl} times the KL to the
 * reference, over rollout steps {@code 0 .. trainedSteps - 1}; each step's mean gradient clipped
 * to norm {@code maxGradNorm} (0: no clip).
 */
public record FlowGrpoAlgorithm(double noiseLevel, int trainedSteps, double clipRange, double betaKl, double maxGradNorm,
    double advantageClip) implements PostTrainingAlgorithm {

  private static final long serialVersionUID = 1L;

  /** The config's name: {@code algorithm: flow_grpo}. */
  public static final String NAME = "flow_grpo";

  /** Keeps a normalised advantage finite when every reward of the epoch is equal. */
  public static final double STD_EPSILON = 1e-4;

  /** Flow-GRPO with the run's settings ({@link RunConfig#flowGrpoSettings()}); more trained steps than {@code sample_steps} are refused. */
  public static FlowGrpoAlgorithm fromConfig(RunConfig config) {
    FlowGrpoSettings g = config.flowGrpoSettings();
    int steps = config.sampling().steps();
    if (g.trainedSteps() > steps) {
      throw new ConfigException("config '" + config.name() + "': grpo_trained_steps " + g.trainedSteps() + " exceeds sample_steps "
          + steps);
    }
    return new FlowGrpoAlgorithm(g.sdeNoiseLevel(), g.trainedSteps(), g.clipRange(), g.betaKl(), g.maxGradNorm(), g.advantageClip());
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The SDE sampler of rollouts: the epoch's time grid and guidance with this noise level. */
  public SdeSampler sampler(EpochSpec spec) {
    return new SdeSampler(spec.sampleSteps, spec.cfgScale, spec.timeShift, noiseLevel);
  }

  /**
   * SDE rollouts from the current policy ({@link SampleTrajectories}); their trajectories go to the
   * epoch's {@code trajectories/}, their trained parts to {@code scratch} for the update.
   */
  @Override
  public PTransform<PCollection<KV<Integer, Prompt>>, PCollection<Sample>> sampling(EpochSpec spec, String epochDir, String scratch) {
    return new SampleTrajectories(this, spec, StoreFiles.join(epochDir, "trajectories"), scratch);
  }

  /** {@code (r - group mean) / (epoch std + 1e-4)} clipped to {@code +-advantageClip}; an all-equal group does not train. */
  @Override
  public GroupAdvantages advantages(RewardGroup group, double epochRewardStd) {
    double[] advantages = new double[group.size()];
    for (int i = 0; i < advantages.length; i++) {
      double advantage = (group.reward(i) - group.mean()) / (epochRewardStd + STD_EPSILON);
      advantages[i] = Math.max(-advantageClip, Math.min(advantageClip, advantage));
    }
    return group.allEqual() ? GroupAdvantages.noneTrain(advantages) : GroupAdvantages.allTrain(advantages);
  }

  /** The summed clipped GRPO loss's gradient over every (rollout, trained step) pair of the items ({@link GrpoShardGradient}). */
  @Override
  public ShardGradient shardGradient(EpochSpec spec, VelocityNetwork network, TrainingState state, ParameterSet reference,
      List<TrainingItem> items, String scratch) {
    GrpoGradient.Result r = GrpoShardGradient.compute(this, spec, network, state.theta(), reference, items, scratch);
    TreeMap<String, Double> sums = new TreeMap<>();
    sums.put("loss", r.lossSum());
    sums.put("kl", r.klSum());
    sums.put("ratio", r.ratioSum());
    sums.put("frac_clipped", (double) r.clippedItems());
    return new ShardGradient(r.gradientSum(), r.items(), sums);
  }

  /** Clips the mean gradient to norm {@code maxGradNorm} (0: no clip). */
  @Override
  public void prepareGradient(ParameterSet meanGradient) {
    if (maxGradNorm > 0) {
      meanGradient.clipNorm(maxGradNorm);
    }
  }

  /** {@code grad_norm}: the mean gradient's norm before the clip. */
  @Override
  public Map<String, Double> stepMetrics(double meanGradientNorm) {
    return Map.of("grad_norm", meanGradientNorm);
  }

  @Override
  public List<ProgressMetric> progressMetrics() {
    return List.of(new ProgressMetric("loss", "loss", "%.5f"), new ProgressMetric("kl", "kl", "%.3g"),
        new ProgressMetric("ratio", "ratio", "%.5f"), new ProgressMetric("clipped", "frac_clipped", "%.3f"));
  }
}
