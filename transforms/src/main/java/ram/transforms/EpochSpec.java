package ram.transforms;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

import ram.config.RunConfig;
import ram.config.SamplingSettings;
import ram.config.ScheduleSettings;
import ram.model.AdamW;
import ram.model.LoraNetwork;
import ram.model.OdeSampler;
import ram.model.Optimizer;
import ram.model.torchscript.TorchScriptSpec;
import ram.rewards.RewardSettings;
import ram.transforms.algorithm.Algorithms;
import ram.transforms.algorithm.PostTrainingAlgorithm;

/**
 * Everything the stages of one training epoch need to know, as one serializable value: which
 * epoch, where its parent state and the base live, how the base is fine-tuned (fully or by LoRA),
 * the sampler, the reward set, the post-training algorithm (RAM or Flow-GRPO, with its own
 * settings) and the optimizer. Built by the pipeline from the run's resolved config.
 */
public final class EpochSpec implements Serializable {

  private static final long serialVersionUID = 3L;

  public final long runSeed;
  public final int epoch;
  public final String architecture;
  /** training checkpoint of the previous epoch, or null for epoch 1 */
  public final String parentCheckpoint;
  public final String baseCheckpoint;
  public final int imagesPerPrompt;
  public final int sampleSteps;
  /** the integrator of the training endpoints' ODE (docs/algorithm.md: Euler) */
  public final OdeSampler.Method odeSolver;
  public final double cfgScale;
  public final double timeShift;
  public final TreeMap<String, Double> rewardWeights;
  /** the values of the config's reward settings (paths resolved), from which every worker creates its rewards */
  public final RewardSettings rewardSettings;
  public final int optimizerSteps;
  public final int gradientShards;
  /** the rule of each optimizer step, with its learning rate */
  public final Optimizer optimizer;
  /** what the epoch samples and how it learns from the rewards; null in a spec for sampling only ({@link #forSampling}) */
  public final PostTrainingAlgorithm algorithm;
  /** the LoRA adapters trained over the frozen base, or null: full fine-tuning ({@link TunedModel}) */
  public final LoraNetwork.Config lora;
  /** a safetensors file whose values replace the base checkpoint's, or null */
  public final String initWeights;
  /** the user's TorchScript model (paths resolved), or null for a built-in network */
  public final TorchScriptSpec torchscript;

  /**
   * Epoch {@code epoch} of the run {@code config}: its algorithm, sampler, budget, rewards, optimizer
   * and fine-tuning as the typed config gives them, starting from {@code parentCheckpoint} (null for
   * epoch 1) over the base at {@code baseCheckpoint} (resolved by the caller).
   */
  public static EpochSpec of(RunConfig config, int epoch, String parentCheckpoint, String baseCheckpoint, LoraNetwork.Config lora) {
    return of(config, epoch, parentCheckpoint, baseCheckpoint, lora, null, null, RewardSettings.NONE);
  }

  /**
   * {@link #of(RunConfig, int, String, String, LoraNetwork.Config)} with the model's {@code
   * init_weights} and TorchScript files, resolved by the caller (null: none, a built-in network), and
   * the reward settings ({@link RunConfig#rewardSettings}).
   */
  public static EpochSpec of(RunConfig config, int epoch, String parentCheckpoint, String baseCheckpoint, LoraNetwork.Config lora,
      String initWeights, TorchScriptSpec torchscript, RewardSettings rewardSettings) {
    SamplingSettings sampling = config.sampling();
    ScheduleSettings schedule = config.schedule();
    return new EpochSpec(config.seed(), epoch, config.model().architecture(), parentCheckpoint, baseCheckpoint,
        schedule.imagesPerPrompt(), sampling.steps(), sampling.solver(), sampling.cfgScale(), sampling.timeShift(),
        config.task().rewards(), schedule.optimizerSteps(), schedule.gradientShards(), config.optimizer().adamW(),
        Algorithms.of(config), lora, initWeights, torchscript, rewardSettings);
  }

  /**
   * An epoch of {@code algorithm} that fine-tunes the {@code architecture} network of
   * {@code baseCheckpoint} fully ({@code lora == null}) or by LoRA adapters; {@link #of} builds it
   * from a run's config, {@link #forSampling} for sampling only.
   */
  EpochSpec(long runSeed, int epoch, String architecture, String parentCheckpoint, String baseCheckpoint,
      int imagesPerPrompt, int sampleSteps, OdeSampler.Method odeSolver, double cfgScale, double timeShift,
      Map<String, Double> rewardWeights, int optimizerSteps, int gradientShards, Optimizer optimizer, PostTrainingAlgorithm algorithm,
      LoraNetwork.Config lora, String initWeights, TorchScriptSpec torchscript) {
    this(runSeed, epoch, architecture, parentCheckpoint, baseCheckpoint, imagesPerPrompt, sampleSteps, odeSolver, cfgScale, timeShift,
        rewardWeights, optimizerSteps, gradientShards, optimizer, algorithm, lora, initWeights, torchscript, RewardSettings.NONE);
  }

  /** The spec above whose rewards are created from {@code rewardSettings}. */
  EpochSpec(long runSeed, int epoch, String architecture, String parentCheckpoint, String baseCheckpoint,
      int imagesPerPrompt, int sampleSteps, OdeSampler.Method odeSolver, double cfgScale, double timeShift,
      Map<String, Double> rewardWeights, int optimizerSteps, int gradientShards, Optimizer optimizer, PostTrainingAlgorithm algorithm,
      LoraNetwork.Config lora, String initWeights, TorchScriptSpec torchscript, RewardSettings rewardSettings) {
    this.runSeed = runSeed;
    this.epoch = epoch;
    this.architecture = architecture;
    this.parentCheckpoint = parentCheckpoint;
    this.baseCheckpoint = baseCheckpoint;
    this.imagesPerPrompt = imagesPerPrompt;
    this.sampleSteps = sampleSteps;
    this.odeSolver = odeSolver;
    this.cfgScale = cfgScale;
    this.timeShift = timeShift;
    this.rewardWeights = new TreeMap<>(rewardWeights);
    this.optimizerSteps = optimizerSteps;
    this.gradientShards = gradientShards;
    this.optimizer = optimizer;
    this.algorithm = algorithm;
    this.lora = lora;
    this.initWeights = initWeights;
    this.torchscript = torchscript;
    this.rewardSettings = rewardSettings;
  }

  /**
   * A spec for sampling and scoring only (evaluation, with the Euler sampler of docs/algorithm.md, from the
   * checkpoint's own parameters): no algorithm, and the update's fields hold inert values that no
   * sampling stage reads. {@code lora}: the checkpoint holds LoRA adapters over
   * {@code baseCheckpoint} (null: its own full weights).
   */
  public static EpochSpec forSampling(long seed, String architecture, String checkpoint, String baseCheckpoint, LoraNetwork.Config lora,
      int imagesPerPrompt, int sampleSteps, double cfgScale, double timeShift, Map<String, Double> rewards) {
    return forSampling(seed, architecture, checkpoint, baseCheckpoint, lora, null, null, imagesPerPrompt, sampleSteps, cfgScale, timeShift,
        rewards, RewardSettings.NONE);
  }

  /**
   * {@link #forSampling} of a model with {@code init_weights} or a TorchScript model (null: none, a built-in network), scored by
   * rewards created from {@code rewardSettings}.
   */
  public static EpochSpec forSampling(long seed, String architecture, String checkpoint, String baseCheckpoint, LoraNetwork.Config lora,
      String initWeights, TorchScriptSpec torchscript, int imagesPerPrompt, int sampleSteps, double cfgScale, double timeShift,
      Map<String, Double> rewards, RewardSettings rewardSettings) {
    return new EpochSpec(seed, 0, architecture, checkpoint, baseCheckpoint, imagesPerPrompt, sampleSteps, OdeSampler.Method.EULER,
        cfgScale, timeShift, rewards, 1, 1, AdamW.of(1e-3, 0), null, lora, initWeights, torchscript, rewardSettings);
  }

  public OdeSampler sampler() {
    return new OdeSampler(odeSolver, sampleSteps, cfgScale, timeShift);
  }

  /** The name of the reward that drives training: the single reward, or the weighted total. */
  public String trainingRewardName() {
    return rewardWeights.size() == 1 ? rewardWeights.firstKey() : ScoreRewards.WEIGHTED;
  }
}
