package ram.runners;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ram.model.ConfigNames;
import ram.model.LaggedPolicy;
import ram.model.OdeSampler;
import ram.model.TimeSampler;
import ram.transforms.EpochSpec;

/**
 * The typed keys a run config may hold. Values (the defaults) live in the YAML files of
 * {@code configs/}; this table says only what each key is and which values are legal, so that
 * configs and command-line overrides are type-checked with errors that name the key.
 */
public final class ConfigKeys {

  /** The kind of value a key takes. */
  public enum Type { INT, POSITIVE_INT, NON_NEGATIVE_INT, DOUBLE, POSITIVE_DOUBLE, NON_NEGATIVE_DOUBLE, STRING, PATH,
    OPTIONAL_PATH, CHOICE, WEIGHTS, REGEX_LIST }

  /**
   * One key: its type, legal choices (for CHOICE), the largest value an integer key may take
   * ({@code max}, one of the limits below; unused for other types) and a one-line description.
   */
  public record Key(String name, Type type, List<String> choices, long max, String doc) {

    /** Whether the key takes an integer (and so has a {@link #max}). */
    public boolean integer() {
      return type == Type.INT || type == Type.POSITIVE_INT || type == Type.NON_NEGATIVE_INT;
    }
  }

  // The upper bounds of the integer keys, checked when a config is loaded (RunConfig.check), so a
  // value too large for the code is refused by name instead of failing inside a pipeline. Where a
  // product of keys is the limit (endpoints in memory, one Java array, an int counter),
  // ConfigLimits.requireFits checks the product against this JVM's max heap or the int range.

  /** Seeds: any 64-bit integer. */
  static final long ANY_LONG = Long.MAX_VALUE;
  /** epochs, eval_every: each epoch is a pipeline run; a million is far beyond any budget. */
  static final long MAX_EPOCHS = 1_000_000;
  /** prompts_per_epoch, images_per_prompt, eval_images_per_prompt, pretrain_batch_size; their products are checked against memory. */
  static final long MAX_COUNT = 1_000_000;
  /** optimizer_steps_per_epoch: each step is a stage of the epoch's job graph. */
  static final long MAX_STAGES = 10_000;
  /** sample_steps, eval_steps, grpo_trained_steps: steps of the ODE/SDE grid. */
  static final long MAX_GRID_STEPS = 10_000;
  /** renoisings: copies of each endpoint in the update. */
  static final long MAX_RENOISINGS = 1024;
  /** parallelism, gradient_shards: workers and shards of one machine or cluster. */
  static final long MAX_WORKERS = 1024;
  /** eval_samples: the in-run check keeps every sample in memory (also checked against the heap). */
  static final long MAX_EVAL_SAMPLES = 10_000_000;
  /** pretrain_steps, pretrain_warmup_steps, pretrain_checkpoint_every: an int step counter, with headroom. */
  static final long MAX_PRETRAIN_STEPS = 1_000_000_000;
  /** lora_rank: wider than any layer of the built-in networks. */
  static final long MAX_LORA_RANK = 4096;

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();

  private static void key(String name, Type type, String doc) {
    Key k = new Key(name, type, List.of(), 0, doc);
    if (k.integer()) {
      throw new IllegalStateException("integer key " + name + " needs an upper bound: use count(...)");
    }
    KEYS.put(name, k);
  }

  private static void count(String name, Type type, long max, String doc) {
    KEYS.put(name, new Key(name, type, List.of(), max, doc));
  }

  private static void choice(String name, List<String> choices, String doc) {
    KEYS.put(name, new Key(name, Type.CHOICE, choices, 0, doc));
  }

  static {
    key("task", Type.STRING, "the prompt world: names prompts/<task>/ and the evaluation");
    key("prompts", Type.PATH, "training prompt set (JSON lines)");
    key("model", Type.STRING, "velocity network architecture");
    key("base_checkpoint", Type.PATH, "pretrained base: the frozen reference and the starting policy");
    key("base_sha256", Type.STRING, "SHA-256 of the base checkpoint's theta.params; train writes it into the run's resolved "
        + "config and refuses to resume over a base that no longer has it (set it to pin a base from the start)");
    key("rewards", Type.WEIGHTS, "rewards of the run with weights, e.g. {toy2d: 1.0}");
    key("max_reward_failures", Type.NON_NEGATIVE_DOUBLE, "an epoch whose training reward failed on more than this fraction "
        + "of its samples (or on all of them) fails and publishes nothing (0..1, default " + RewardFailures.DEFAULT_MAX_FRACTION + ")");
    choice("algorithm", List.of("ram", "flow_grpo"), "post-training algorithm: RAM (default) or the Flow-GRPO baseline (docs/algorithm.md section 5)");
    choice("finetune", List.of("full", "lora"), "what training changes: every base weight (full, the default) or only LoRA adapters "
        + "over the frozen base (lora; the reference is the base with the adapters off)");
    count("lora_rank", Type.POSITIVE_INT, MAX_LORA_RANK, "finetune: lora: rank r of the adapters A [in, r] B [r, out] (default 8)");
    key("lora_alpha", Type.POSITIVE_DOUBLE, "finetune: lora: the adapters add (alpha / r) A B to each target weight (default 16)");
    key("lora_targets", Type.REGEX_LIST, "finetune: lora: regular expressions over layer names; a layer whose whole name matches "
        + "one is adapted (default: the DiT blocks' attention, cross-attention and MLP)");
    count("seed", Type.INT, ANY_LONG, "run seed: prompts, noise and re-noising all derive from it");
    count("epochs", Type.POSITIVE_INT, MAX_EPOCHS, "number of epochs (one pipeline each)");
    count("prompts_per_epoch", Type.POSITIVE_INT, MAX_COUNT, "P: prompts (groups) sampled per epoch");
    count("images_per_prompt", Type.POSITIVE_INT, MAX_COUNT, "G: endpoints per prompt");
    count("optimizer_steps_per_epoch", Type.POSITIVE_INT, MAX_STAGES, "chained gradient stages per epoch; prompt slot s goes to step s mod this");
    count("renoisings", Type.POSITIVE_INT, MAX_RENOISINGS, "K: re-noisings of each endpoint in the update");
    choice("time_sampler", ConfigNames.all(TimeSampler.values()),
        "re-noising time: t = sqrt(U) (RAM), U (tutorial) or U^(1/3) (further towards noise)");
    key("reward_multiplier", Type.DOUBLE, "m, the reward multiplier (beta in the tutorial variant)");
    choice("advantage", ConfigNames.all(EpochSpec.AdvantageMode.values()), "signal: group-normalised advantage (the recipe) or raw reward (tutorial)");
    choice("lagged_policy", ConfigNames.all(LaggedPolicy.values()), "v_old and the sampler: EMA of theta, or theta itself");
    key("sde_noise_level", Type.POSITIVE_DOUBLE, "Flow-GRPO: noise level a of the SDE sampler");
    count("grpo_trained_steps", Type.POSITIVE_INT, MAX_GRID_STEPS, "Flow-GRPO: rollout steps 0 .. n-1 that the loss trains (at most sample_steps)");
    key("grpo_clip_range", Type.POSITIVE_DOUBLE, "Flow-GRPO: eps of the clipped ratio");
    key("beta_kl", Type.NON_NEGATIVE_DOUBLE, "Flow-GRPO: weight of the KL term to the reference");
    key("max_grad_norm", Type.NON_NEGATIVE_DOUBLE, "Flow-GRPO: gradient-norm clip of each optimizer step (0 = none)");
    key("advantage_clip", Type.POSITIVE_DOUBLE, "Flow-GRPO: advantages are clipped to +- this");
    key("learning_rate", Type.POSITIVE_DOUBLE, "the optimizer's learning rate");
    key("weight_decay", Type.NON_NEGATIVE_DOUBLE, "decoupled weight decay (0 = Adam for adamw)");
    key("adam_beta1", Type.NON_NEGATIVE_DOUBLE, "AdamW beta1");
    key("adam_beta2", Type.NON_NEGATIVE_DOUBLE, "AdamW beta2");
    key("adam_epsilon", Type.POSITIVE_DOUBLE, "AdamW epsilon");
    count("sample_steps", Type.POSITIVE_INT, MAX_GRID_STEPS, "ODE grid steps when sampling training endpoints");
    choice("ode_solver", ConfigNames.all(OdeSampler.Method.values()), "integrator of training endpoints: euler (docs/algorithm.md, the default) or heun "
        + "(second order, 2 * sample_steps - 1 velocity evaluations)");
    key("cfg_scale", Type.DOUBLE, "classifier-free guidance scale when sampling");
    key("time_shift", Type.POSITIVE_DOUBLE, "time shift s of the sampling grid (1 = none)");
    count("gradient_shards", Type.POSITIVE_INT, MAX_WORKERS, "data-parallel shards of each gradient stage");
    count("eval_samples", Type.NON_NEGATIVE_INT, MAX_EVAL_SAMPLES, "evaluation samples (0 = no evaluation)");
    count("eval_steps", Type.POSITIVE_INT, MAX_GRID_STEPS, "Euler steps for evaluation samples");
    count("eval_seed", Type.INT, ANY_LONG, "seed of the evaluation noise (fixed across epochs)");
    key("eval_prompts", Type.PATH, "held-out prompts of the in-run evaluation (default: the training prompts)");
    count("eval_images_per_prompt", Type.POSITIVE_INT, MAX_COUNT, "./ram evaluate: images per held-out prompt (diversity needs 2 or more)");
    count("eval_every", Type.NON_NEGATIVE_INT, MAX_EPOCHS, "evaluate every this many epochs (0 = only before and after)");
    key("eval_rewards", Type.WEIGHTS, "rewards the in-run check and ./ram evaluate of the run score (default: the run's rewards; "
        + "weights unused), e.g. the task's own score beside a proxy reward that the policy may exploit");
    count("pretrain_steps", Type.POSITIVE_INT, MAX_PRETRAIN_STEPS, "pretraining: optimizer steps");
    count("pretrain_batch_size", Type.POSITIVE_INT, MAX_COUNT, "pretraining: batch size");
    key("pretrain_learning_rate", Type.POSITIVE_DOUBLE, "pretraining: Adam learning rate");
    count("pretrain_seed", Type.INT, ANY_LONG, "pretraining: seed of initialisation and data");
    key("pretrain_weight_decay", Type.NON_NEGATIVE_DOUBLE, "pretraining (image model): AdamW decoupled weight decay");
    count("pretrain_warmup_steps", Type.NON_NEGATIVE_INT, MAX_PRETRAIN_STEPS, "pretraining (image model): linear learning-rate warm-up steps, then cosine decay to 10%");
    key("pretrain_prompt_dropout", Type.NON_NEGATIVE_DOUBLE, "pretraining (image model): share of prompts replaced by \"\" (for CFG)");
    key("pretrain_ema_decay", Type.NON_NEGATIVE_DOUBLE, "pretraining (image model): per-step EMA decay of the shipped weights");
    key("pretrain_shapes_share", Type.NON_NEGATIVE_DOUBLE, "pretraining (image model): share of shapes-world items (the rest is text)");
    choice("pretrain_words", ConfigNames.all(WorldMixtureData.Words.values()), "pretraining (image model): text items ask for the training prompts' "
        + "words (train, the default) or for fresh random words, never a held-out one (fresh)");
    count("pretrain_checkpoint_every", Type.POSITIVE_INT, MAX_PRETRAIN_STEPS, "pretraining (image model): steps between resumable checkpoints");
    key("pretrain_init_only", Type.STRING, "pretraining (image model): take only the pretrain_init parameters whose names start with one of these comma-separated prefixes (e.g. a trained text encoder, text.); the rest start fresh");
    key("pretrain_init", Type.PATH, "pretraining (image model): continue from this base checkpoint's weights (fresh optimizer) instead of a random initialisation");
    key("pretrain_dir", Type.PATH, "pretraining (image model): resumable state directory (rerun to resume)");
    choice("device", List.of("auto", "cpu", "gpu"), "where networks compute: auto = the first GPU PyTorch sees, else the CPU");
    choice("runner", List.of("flink", "direct"), "Beam runner: Flink (embedded or a cluster) or the DirectRunner");
    key("flink_master", Type.STRING,
        "[local]: one in-process Flink cluster for the whole run; [auto]: a fresh local cluster per pipeline; or host:port");
    count("parallelism", Type.POSITIVE_INT, MAX_WORKERS, "pipeline parallelism (workers)");
    key("output_dir", Type.PATH, "the run directory");
  }

  private ConfigKeys() {}

  /** The key, or null if unknown. */
  public static Key get(String name) {
    return KEYS.get(name);
  }

  public static Iterable<String> names() {
    return KEYS.keySet();
  }

  /** Keys that do not change what a run trains (how it executes, what its checks score); changing them on resume is allowed. */
  public static final List<String> EXECUTION_KEYS = List.of("epochs", "runner", "flink_master", "parallelism", "device",
      "eval_every", "eval_rewards", "output_dir", "max_reward_failures");
}
