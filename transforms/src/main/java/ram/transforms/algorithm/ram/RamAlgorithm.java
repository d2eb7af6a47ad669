package ram.transforms.algorithm.ram;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

import ram.config.RamSettings;
import ram.config.RunConfig;
import ram.model.AdvantageMode;
import ram.model.LaggedPolicy;
import ram.model.Noise;
import ram.model.ParameterSet;
import ram.model.RamGradient;
import ram.model.RamItems;
import ram.model.TimeSampler;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;
import ram.schemas.Prompt;
import ram.schemas.Sample;
import ram.transforms.EpochSpec;
import ram.transforms.SampleEndpoints;
import ram.transforms.TrainingItem;
import ram.transforms.algorithm.GroupAdvantages;
import ram.transforms.algorithm.PostTrainingAlgorithm;
import ram.transforms.algorithm.ProgressMetric;
import ram.transforms.algorithm.RewardGroup;
import ram.transforms.algorithm.ShardGradient;

/**
 * Reinforce Adjoint Matching (docs/algorithm.md section 3): endpoints drawn by the ODE sampler from
 * the lagged policy, advantages from rewards ({@code advantageMode}, unclipped, every group trains),
 * and the RAM regression of each endpoint re-noised {@code renoisings} times at times from
 * {@code timeSampler}, with reward multiplier {@code rewardMultiplier}. {@code laggedPolicy} is both
 * the sampler's parameters and {@code v_old} (the EMA in the recipe; the current policy in the
 * tutorial variant). The update regresses the conditional velocity.
 */
public record RamAlgorithm(AdvantageMode advantageMode, double rewardMultiplier, int renoisings, TimeSampler timeSampler,
    LaggedPolicy laggedPolicy) implements PostTrainingAlgorithm {

  private static final long serialVersionUID = 1L;

  /** The config's name: {@code algorithm: ram}. */
  public static final String NAME = "ram";

  /** RAM with the run's settings ({@link RunConfig#ram()}). */
  public static RamAlgorithm fromConfig(RunConfig config) {
    RamSettings ram = config.ram();
    return new RamAlgorithm(ram.advantage(), ram.rewardMultiplier(), ram.renoisings(), ram.timeSampler(), ram.laggedPolicy());
  }

  @Override
  public String name() {
    return NAME;
  }

  /** Clean endpoints by the ODE sampler, drawn by the lagged policy. */
  @Override
  public PTransform<PCollection<KV<Integer, Prompt>>, PCollection<Sample>> sampling(EpochSpec spec, String epochDir, String scratch) {
    return new SampleEndpoints(spec, laggedPolicy);
  }

  /** {@link #advantageMode} of each reward; every sample trains. */
  @Override
  public GroupAdvantages advantages(RewardGroup group, double epochRewardStd) {
    double[] advantages = new double[group.size()];
    for (int i = 0; i < advantages.length; i++) {
      advantages[i] = advantageMode.of(group.reward(i), group.mean(), epochRewardStd);
    }
    return GroupAdvantages.allTrain(advantages);
  }

  /** The summed RAM loss's gradient over the items' re-noised copies ({@link #renoise}). */
  @Override
  public ShardGradient shardGradient(EpochSpec spec, VelocityNetwork network, TrainingState state, ParameterSet reference,
      List<TrainingItem> items, String scratch) {
    ParameterSet old = laggedPolicy == LaggedPolicy.EMA ? state.ema() : null;
    RamGradient.Result r = new RamGradient(network, rewardMultiplier)
        .compute(state.theta(), reference, old, renoise(spec, items, network.sampleSize()));
    TreeMap<String, Double> sums = new TreeMap<>();
    sums.put("loss", r.lossSum());
    sums.put("drift_to_reference", r.driftSum());
    sums.put("target_square", r.targetSquareSum());
    sums.put("frac_flipped", (double) r.flippedItems());
    return new ShardGradient(r.gradientSum(), r.items(), sums);
  }

  @Override
  public List<ProgressMetric> progressMetrics() {
    return List.of(new ProgressMetric("loss", "loss", "%.5f"), new ProgressMetric("drift", "drift_to_reference", "%.3g"),
        new ProgressMetric("flipped", "frac_flipped", "%.3f"));
  }

  /**
   * The items with their {@link #renoisings} re-noisings: the time and noise of item
   * {@code sampleId}'s k-th copy are fixed by the run seed and epoch, so that no runner or sharding
   * changes them.
   */
  public RamItems renoise(EpochSpec spec, List<TrainingItem> items, int dim) {
    int n = items.size();
    int k = renoisings;
    float[] x = new float[n * dim];
    float[] signals = new float[n];
    float[] times = new float[n * k];
    float[] noise = new float[n * k * dim];
    List<String> prompts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TrainingItem item = items.get(i);
      System.arraycopy(item.endpoint, 0, x, i * dim, dim);
      signals[i] = (float) item.signal;
      prompts.add(item.prompt);
      for (int j = 0; j < k; j++) {
        times[i * k + j] = (float) timeSampler.time(Noise.uniform(Noise.seed(item.sampleId, spec.runSeed, spec.epoch, j, 1)));
        System.arraycopy(Noise.gaussian(Noise.seed(item.sampleId, spec.runSeed, spec.epoch, j, 2), dim), 0,
            noise, (i * k + j) * dim, dim);
      }
    }
    return new RamItems(x, prompts, signals, times, noise, k);
  }
}
