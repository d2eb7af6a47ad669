package ram.transforms;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

import ram.model.AdamW;
import ram.model.ConfigNames;
import ram.model.LaggedPolicy;
import ram.model.LoraNetwork;
import ram.model.OdeSampler;
import ram.model.Optimizer;
import ram.model.TimeSampler;

/**
 * Everything the stages of one training epoch need to know, as one serializable value: which
 * epoch, where its parent state and the base live, how the base is fine-tuned (fully or by LoRA),
 * the sampler, the reward set, the RAM objective and the optimizer. Built by the pipeline from the
 * run's resolved config.
 */
public final class EpochSpec implements Serializable {

  private static final long serialVersionUID = 1L;

  /** How advantages are formed from rewards. */
  public enum AdvantageMode {
    /** {@code (r - group mean) / (std of all epoch rewards + 1e-4)}: the official recipe. */
    GROUP_NORMALIZED,
    /** the raw reward, as in the tutorial's {@code beta * r}. */
    RAW_REWARD;

    /** Keeps a normalised advantage finite when every reward of the epoch is equal. */
    public static final double STD_EPSILON = 1e-4;

    public static AdvantageMode parse(String s) {
      return ConfigNames.parse(values(), s, "advantage");
    }

    /** The advantage of a reward {@code r} in a group of mean {@code groupMean}, the epoch's rewards having std {@code std}. */
    public double of(double r, double groupMean, double std) {
      return switch (this) {
        case GROUP_NORMALIZED -> (r - groupMean) / (std + STD_EPSILON);
        case RAW_REWARD -> r;
      };
    }
  }

  public final long runSeed;
  public final int epoch;
  public final String architecture;
  /** training checkpoint of the previous epoch, or null for epoch 1 */
  public final String parentCheckpoint;
  public final String baseCheckpoint;
  public final LaggedPolicy laggedPolicy;
  public final int imagesPerPrompt;
  public final int sampleSteps;
  /** the integrator of the training endpoints' ODE (docs/algorithm.md: Euler) */
  public final OdeSampler.Method odeSolver;
  public final double cfgScale;
  public final double timeShift;
  public final TreeMap<String, Double> rewardWeights;
  public final AdvantageMode advantageMode;
  public final double rewardMultiplier;
  public final int renoisings;
  public final TimeSampler timeSampler;
  public final int optimizerSteps;
  public final int gradientShards;
  /** the rule of each optimizer step, with its learning rate */
  public final Optimizer optimizer;
  /** Flow-GRPO's settings, or null: the epoch runs RAM */
  public final GrpoSettings grpo;
  /** the LoRA adapters trained over the frozen base, or null: full fine-tuning ({@link TunedModel}) */
  public final LoraNetwork.Config lora;

  /** A RAM epoch. */
  public EpochSpec(long runSeed, int epoch, String architecture, String parentCheckpoint, String baseCheckpoint,
      LaggedPolicy laggedPolicy, int imagesPerPrompt, int sampleSteps, OdeSampler.Method odeSolver, double cfgScale, double timeShift,
      Map<String, Double> rewardWeights, AdvantageMode advantageMode, double rewardMultiplier, int renoisings,
      TimeSampler timeSampler, int optimizerSteps, int gradientShards, Optimizer optimizer) {
    this(runSeed, epoch, architecture, parentCheckpoint, baseCheckpoint, laggedPolicy, imagesPerPrompt, sampleSteps, odeSolver, cfgScale,
        timeShift, rewardWeights, advantageMode, rewardMultiplier, renoisings, timeSampler, optimizerSteps, gradientShards,
        optimizer, null);
  }

  /** An epoch of RAM ({@code grpo == null}) or of Flow-GRPO, fine-tuning fully. */
  public EpochSpec(long runSeed, int epoch, String architecture, String parentCheckpoint, String baseCheckpoint,
      LaggedPolicy laggedPolicy, int imagesPerPrompt, int sampleSteps, OdeSampler.Method odeSolver, double cfgScale, double timeShift,
      Map<String, Double> rewardWeights, AdvantageMode advantageMode, double rewardMultiplier, int renoisings,
      TimeSampler timeSampler, int optimizerSteps, int gradientShards, Optimizer optimizer, GrpoSettings grpo) {
    this(runSeed, epoch, architecture, parentCheckpoint, baseCheckpoint, laggedPolicy, imagesPerPrompt, sampleSteps, odeSolver, cfgScale,
        timeShift, rewardWeights, advantageMode, rewardMultiplier, renoisings, timeSampler, optimizerSteps, gradientShards,
        optimizer, grpo, null);
  }

  /**
   * An epoch of RAM ({@code grpo == null}) or of Flow-GRPO that fine-tunes the {@code architecture}
   * network of {@code baseCheckpoint} fully ({@code lora == null}) or by LoRA adapters.
   */
  public EpochSpec(long runSeed, int epoch, String architecture, String parentCheckpoint, String baseCheckpoint,
      LaggedPolicy laggedPolicy, int imagesPerPrompt, int sampleSteps, OdeSampler.Method odeSolver, double cfgScale, double timeShift,
      Map<String, Double> rewardWeights, AdvantageMode advantageMode, double rewardMultiplier, int renoisings,
      TimeSampler timeSampler, int optimizerSteps, int gradientShards, Optimizer optimizer, GrpoSettings grpo, LoraNetwork.Config lora) {
    this.runSeed = runSeed;
    this.epoch = epoch;
    this.architecture = architecture;
    this.parentCheckpoint = parentCheckpoint;
    this.baseCheckpoint = baseCheckpoint;
    this.laggedPolicy = laggedPolicy;
    this.imagesPerPrompt = imagesPerPrompt;
    this.sampleSteps = sampleSteps;
    this.odeSolver = odeSolver;
    this.cfgScale = cfgScale;
    this.timeShift = timeShift;
    this.rewardWeights = new TreeMap<>(rewardWeights);
    this.advantageMode = advantageMode;
    this.rewardMultiplier = rewardMultiplier;
    this.renoisings = renoisings;
    this.timeSampler = timeSampler;
    this.optimizerSteps = optimizerSteps;
    this.gradientShards = gradientShards;
    this.optimizer = optimizer;
    this.grpo = grpo;
    this.lora = lora;
  }

  public boolean isGrpo() {
    return grpo != null;
  }

  /**
   * A spec for sampling and scoring only (evaluation, with the Euler sampler of docs/algorithm.md): the update's
   * fields hold inert values that no sampling stage reads. {@code lora}: the checkpoint holds LoRA
   * adapters over {@code baseCheckpoint} (null: its own full weights).
   */
  public static EpochSpec forSampling(long seed, String architecture, String checkpoint, String baseCheckpoint, LoraNetwork.Config lora,
      LaggedPolicy policy, int imagesPerPrompt, int sampleSteps, double cfgScale, double timeShift, Map<String, Double> rewards) {
    return new EpochSpec(seed, 0, architecture, checkpoint, baseCheckpoint, policy, imagesPerPrompt, sampleSteps, OdeSampler.Method.EULER,
        cfgScale, timeShift, rewards, AdvantageMode.GROUP_NORMALIZED, 0, 1, TimeSampler.UNIFORM, 1, 1, AdamW.of(1e-3, 0), null,
        lora);
  }

  public OdeSampler sampler() {
    return new OdeSampler(odeSolver, sampleSteps, cfgScale, timeShift);
  }

  /** The name of the reward that drives training: the single reward, or the weighted total. */
  public String trainingRewardName() {
    return rewardWeights.size() == 1 ? rewardWeights.firstKey() : ScoreRewards.WEIGHTED;
  }
}
