package ram.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ram.model.ConfigNames;
import ram.model.LaggedPolicy;
import ram.model.LoraNetwork;
import ram.model.OdeSampler;
import ram.model.TimeSampler;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardSetting;

/**
 * Every key a run config may hold, in one table: its section, type, legal values, default and a
 * one-line description. Configs and command-line overrides are type-checked against it with errors
 * that name the key; a key a config leaves out takes the default written here, so the YAML files of
 * {@code configs/} hold only what a run chooses. Keys without a default ({@code task}, {@code model},
 * {@code base_checkpoint}, {@code rewards}, ...) are required by the commands that use them.
 */
public final class ConfigKeys {

  /** The kind of value a key takes. */
  public enum Type { INT, POSITIVE_INT, NON_NEGATIVE_INT, DOUBLE, POSITIVE_DOUBLE, NON_NEGATIVE_DOUBLE, STRING, PATH,
    OPTIONAL_PATH, CHOICE, WEIGHTS, REGEX_LIST, SHAPE, CHOICE_LIST, NUMBER_LIST, NAME_OR_INDEX }

  /** The concern a key belongs to: one typed record per section ({@link RunConfig}). */
  public enum Section {
    TASK("task and rewards"), REWARD_SETTINGS("settings of the rewards (docs/your-reward.md)"), MODEL("model and base"), FINETUNE("what training changes"), SCHEDULE("the epoch's budget"),
    RAM("RAM (docs/algorithm.md section 3)"), FLOW_GRPO("Flow-GRPO (docs/algorithm.md section 5)"), OPTIMIZER("the optimizer"),
    SAMPLING("the training sampler"), EVALUATION("held-out evaluation"), PRETRAINING("pretraining a base"),
    RUNTIME("where and how it runs");

    /** What the section's keys are about, for {@code --help}. */
    public final String title;

    Section(String title) {
      this.title = title;
    }
  }

  /**
   * One key: its section, type, legal choices (for CHOICE), the largest value an integer key may
   * take ({@code max}; unused for other types), its default ({@code null}: none; the value is then
   * required where it is used, or optional for the OPTIONAL_PATH, WEIGHTS and REGEX_LIST keys that say so)
   * and a one-line description.
   */
  public record Key(String name, Section section, Type type, List<String> choices, long max, Object defaultValue, String doc) {

    /** Whether the key takes an integer (and so has a {@link #max}). */
    public boolean integer() {
      return type == Type.INT || type == Type.POSITIVE_INT || type == Type.NON_NEGATIVE_INT;
    }

    /** The default as a config file writes it, or "none". */
    public String defaultText() {
      return defaultValue == null ? "none" : String.valueOf(defaultValue);
    }
  }

  // The upper bounds of the integer keys, checked when a config is loaded (RunConfig.check), so a
  // value too large for the code is refused by name instead of failing inside a pipeline. Where a
  // product of keys is the limit (endpoints in memory, one Java array, an int counter),
  // ConfigLimits.requireFits checks the product against this JVM's max heap or the int range.

  /** Seeds: any 64-bit integer. */
  public static final long ANY_LONG = Long.MAX_VALUE;
  /** epochs, eval_every: each epoch is a pipeline run; a million is far beyond any budget. */
  public static final long MAX_EPOCHS = 1_000_000;
  /** prompts_per_epoch, images_per_prompt, eval_images_per_prompt, pretrain_batch_size; their products are checked against memory. */
  public static final long MAX_COUNT = 1_000_000;
  /** optimizer_steps_per_epoch: each step is a stage of the epoch's job graph. */
  public static final long MAX_STAGES = 10_000;
  /** sample_steps, eval_steps, grpo_trained_steps: steps of the ODE/SDE grid. */
  public static final long MAX_GRID_STEPS = 10_000;
  /** renoisings: copies of each endpoint in the update. */
  public static final long MAX_RENOISINGS = 1024;
  /** parallelism, gradient_shards: workers and shards of one machine or cluster. */
  public static final long MAX_WORKERS = 1024;
  /** eval_samples: the in-run check keeps every sample in memory (also checked against the heap). */
  public static final long MAX_EVAL_SAMPLES = 10_000_000;
  /** pretrain_steps, pretrain_warmup_steps, pretrain_checkpoint_every: an int step counter, with headroom. */
  public static final long MAX_PRETRAIN_STEPS = 1_000_000_000;
  /** lora_rank: wider than any layer of the built-in networks. */
  public static final long MAX_LORA_RANK = 4096;

  /** The share of a training epoch's samples whose reward may fail before the epoch fails. */
  public static final double DEFAULT_MAX_REWARD_FAILURES = 0.5;

  private static final Map<String, Key> KEYS = new LinkedHashMap<>();
  /** The reward each reward setting belongs to, by key. */
  private static final Map<String, String> REWARD_OF = new LinkedHashMap<>();
  /** The reward settings that only say how a reward runs (timeouts, concurrency). */
  private static final List<String> REWARD_EXECUTION_KEYS = new ArrayList<>();
  private static Section section;

  private static void key(String name, Type type, Object defaultValue, String doc) {
    Key k = new Key(name, section, type, List.of(), 0, defaultValue, doc);
    if (k.integer()) {
      throw new IllegalStateException("integer key " + name + " needs an upper bound: use count(...)");
    }
    KEYS.put(name, k);
  }

  private static void count(String name, Type type, long max, Object defaultValue, String doc) {
    KEYS.put(name, new Key(name, section, type, List.of(), max, defaultValue, doc));
  }

  private static void choice(String name, List<String> choices, String defaultValue, String doc) {
    KEYS.put(name, new Key(name, section, Type.CHOICE, choices, 0, defaultValue, doc));
  }

  /** Adds the config key of a reward's setting; a key that a built-in key already has is a broken reward jar. */
  private static void rewardSetting(String reward, RewardSetting s) {
    if (KEYS.containsKey(s.key())) {
      throw new IllegalStateException("reward '" + reward + "' declares the setting '" + s.key() + "', which is already a config key");
    }
    Type type = switch (s.kind()) {
      case STRING -> Type.STRING;
      case PATH -> Type.PATH;
      case CHOICE -> Type.CHOICE;
      case POSITIVE_INT -> Type.POSITIVE_INT;
      case NON_NEGATIVE_INT -> Type.NON_NEGATIVE_INT;
      case DOUBLE -> Type.DOUBLE;
      case POSITIVE_DOUBLE -> Type.POSITIVE_DOUBLE;
      case NON_NEGATIVE_DOUBLE -> Type.NON_NEGATIVE_DOUBLE;
      case NUMBER_LIST -> Type.NUMBER_LIST;
      case NAME_OR_INDEX -> Type.NAME_OR_INDEX;
    };
    KEYS.put(s.key(), new Key(s.key(), section, type, s.choices(), s.max(), s.defaultValue(), s.doc()));
    REWARD_OF.put(s.key(), reward);
    if (s.execution()) {
      REWARD_EXECUTION_KEYS.add(s.key());
    }
  }

  static {
    section = Section.TASK;
    key("task", Type.STRING, null, "the prompt world: names prompts/<task>/ and the evaluation");
    key("prompts", Type.PATH, null, "training prompt set (JSON lines)");
    key("rewards", Type.WEIGHTS, null, "rewards of the run with weights, e.g. {toy2d: 1.0}");
    key("max_reward_failures", Type.NON_NEGATIVE_DOUBLE, DEFAULT_MAX_REWARD_FAILURES, "an epoch whose training reward failed on "
        + "more than this fraction of its samples (or on all of them) fails and publishes nothing (0..1)");
    count("seed", Type.INT, ANY_LONG, 42, "run seed: prompts, noise and re-noising all derive from it");

    section = Section.REWARD_SETTINGS; // declared by the rewards themselves (RewardProvider.settings)
    RewardRegistry.settings().forEach((reward, settings) -> settings.forEach(s -> rewardSetting(reward, s)));

    section = Section.MODEL;
    key("model", Type.STRING, null, "velocity network: a built-in architecture, or torchscript (docs/your-model.md)");
    key("base_checkpoint", Type.PATH, null, "pretrained base of a built-in model: the frozen reference and the starting policy");
    key("velocity", Type.OPTIONAL_PATH, null, "model: torchscript: the TorchScript module forward(x_t, t, cond) -> v, in the flow "
        + "convention x_t = (1 - t) x + t eps, v = eps - x; its own weights are the base");
    key("sample_shape", Type.SHAPE, null, "model: torchscript: the shape of one sample (one latent, for a latent model), e.g. [2] "
        + "or [4, 64, 64]");
    key("text_encoder", Type.OPTIONAL_PATH, null, "model: torchscript: a frozen TorchScript module forward(tokens [B, L] int64) -> "
        + "cond; a prompt's tokens are its UTF-8 bytes + 1, padded with 0 to text_length");
    count("text_length", Type.POSITIVE_INT, 1 << 16, 64, "model: torchscript: L, the prompt bytes the text encoder reads");
    key("prompt_embeddings", Type.OPTIONAL_PATH, null, "model: torchscript: instead of a text encoder, a safetensors file with "
        + "cond of each prompt, keyed by the prompt text (and the empty prompt for classifier-free guidance)");
    key("decoder", Type.OPTIONAL_PATH, null, "model: torchscript: a frozen TorchScript module forward(latents) -> RGB images "
        + "[B, 3, H, W] in [0, 1]; rewards score the decoded images, the store keeps latents and images");
    key("init_weights", Type.OPTIONAL_PATH, null, "a safetensors file keyed by parameter name whose values replace the base's "
        + "(built-in: base_checkpoint's; torchscript: the module's own); names and shapes must match");
    key("base_sha256", Type.STRING, null, "SHA-256 of the base checkpoint's theta.params; train writes it into the run's resolved "
        + "config and refuses to resume over a base that no longer has it (set it to pin a base from the start)");

    section = Section.FINETUNE;
    choice("finetune", List.of("full", "lora"), "full", "what training changes: every base weight (full) or only LoRA adapters "
        + "over the frozen base (lora; the reference is the base with the adapters off)");
    count("lora_rank", Type.POSITIVE_INT, MAX_LORA_RANK, 8, "finetune: lora: rank r of the adapters A [in, r] B [r, out]");
    key("lora_alpha", Type.POSITIVE_DOUBLE, 16.0, "finetune: lora: the adapters add (alpha / r) A B to each target weight");
    key("trainable", Type.STRING, ".*", "model: torchscript: a regular expression over the module's parameter names; training "
        + "changes the parameters it matches and leaves the rest frozen (.*lora.* for adapters exported inside the model)");
    key("lora_targets", Type.REGEX_LIST, List.of(LoraNetwork.Config.DIT_BLOCKS), "finetune: lora: regular expressions over layer "
        + "names; a layer whose whole name matches one is adapted (default: the DiT blocks' attention, cross-attention and MLP)");

    section = Section.SCHEDULE;
    choice("algorithm", List.of("ram", "flow_grpo"), "ram", "post-training algorithm: RAM or the Flow-GRPO baseline "
        + "(docs/algorithm.md section 5)");
    count("epochs", Type.POSITIVE_INT, MAX_EPOCHS, 20, "number of epochs (one pipeline each)");
    count("prompts_per_epoch", Type.POSITIVE_INT, MAX_COUNT, 8, "P: prompts (groups) sampled per epoch");
    count("images_per_prompt", Type.POSITIVE_INT, MAX_COUNT, 8, "G: endpoints per prompt");
    count("optimizer_steps_per_epoch", Type.POSITIVE_INT, MAX_STAGES, 1,
        "chained gradient stages per epoch; prompt slot s goes to step s mod this");
    count("gradient_shards", Type.POSITIVE_INT, MAX_WORKERS, 1, "data-parallel shards of each gradient stage");

    section = Section.RAM;
    count("renoisings", Type.POSITIVE_INT, MAX_RENOISINGS, 4, "K: re-noisings of each endpoint in the update");
    choice("time_sampler", ConfigNames.all(TimeSampler.values()), "sqrt_uniform",
        "re-noising time: t = sqrt(U) (RAM's recipe), U (the tutorial) or U^(1/3) (further towards noise)");
    key("reward_multiplier", Type.DOUBLE, 100.0, "m, the reward multiplier (beta in the tutorial variant)");
    choice("advantage", List.of("group_normalized", "raw_reward"), "group_normalized",
        "signal: group-normalised advantage (the recipe) or the raw reward (the tutorial's beta * r)");
    choice("lagged_policy", ConfigNames.all(LaggedPolicy.values()), "ema", "v_old and the sampler: EMA of theta, or theta itself");

    section = Section.FLOW_GRPO;
    key("sde_noise_level", Type.POSITIVE_DOUBLE, 0.7, "Flow-GRPO: noise level a of the SDE sampler");
    count("grpo_trained_steps", Type.POSITIVE_INT, MAX_GRID_STEPS, 9,
        "Flow-GRPO: rollout steps 0 .. n-1 that the loss trains (at most sample_steps)");
    key("grpo_clip_range", Type.POSITIVE_DOUBLE, 1.0e-4, "Flow-GRPO: eps of the clipped ratio");
    key("beta_kl", Type.NON_NEGATIVE_DOUBLE, 0.04, "Flow-GRPO: weight of the KL term to the reference");
    key("max_grad_norm", Type.NON_NEGATIVE_DOUBLE, 1.0, "Flow-GRPO: gradient-norm clip of each optimizer step (0 = none)");
    key("advantage_clip", Type.POSITIVE_DOUBLE, 5.0, "Flow-GRPO: advantages are clipped to +- this");

    section = Section.OPTIMIZER;
    key("learning_rate", Type.POSITIVE_DOUBLE, 3.0e-5, "AdamW's learning rate");
    key("weight_decay", Type.NON_NEGATIVE_DOUBLE, 0.0, "AdamW's decoupled weight decay (0 = Adam)");
    key("adam_beta1", Type.NON_NEGATIVE_DOUBLE, 0.9, "AdamW beta1");
    key("adam_beta2", Type.NON_NEGATIVE_DOUBLE, 0.999, "AdamW beta2");
    key("adam_epsilon", Type.POSITIVE_DOUBLE, 1.0e-8, "AdamW epsilon");

    section = Section.SAMPLING;
    count("sample_steps", Type.POSITIVE_INT, MAX_GRID_STEPS, 25, "grid steps when sampling training endpoints (Flow-GRPO: SDE steps T)");
    choice("ode_solver", ConfigNames.all(OdeSampler.Method.values()), "euler", "integrator of training endpoints: euler "
        + "(docs/algorithm.md) or heun (second order, 2 * sample_steps - 1 velocity evaluations)");
    key("cfg_scale", Type.DOUBLE, 1.0, "classifier-free guidance scale when sampling (1 = none)");
    key("time_shift", Type.POSITIVE_DOUBLE, 1.0, "time shift s of the sampling grid (1 = none)");

    section = Section.EVALUATION;
    count("eval_samples", Type.NON_NEGATIVE_INT, MAX_EVAL_SAMPLES, 0, "in-run evaluation samples (0 = no evaluation)");
    count("eval_steps", Type.POSITIVE_INT, MAX_GRID_STEPS, null, "Euler steps for evaluation samples (default: sample_steps)");
    count("eval_seed", Type.INT, ANY_LONG, 12345, "seed of the evaluation noise (fixed across epochs)");
    key("eval_prompts", Type.PATH, null, "held-out prompts of the in-run evaluation (default: the training prompts)");
    count("eval_images_per_prompt", Type.POSITIVE_INT, MAX_COUNT, 2,
        "./ram evaluate: images per held-out prompt (diversity needs 2 or more)");
    count("eval_every", Type.NON_NEGATIVE_INT, MAX_EPOCHS, 0, "evaluate every this many epochs (0 = only before and after)");
    key("eval_rewards", Type.WEIGHTS, null, "rewards the in-run check and ./ram evaluate of the run score (default: the run's "
        + "rewards; weights unused), e.g. the task's own score beside a proxy reward that the policy may exploit");

    section = Section.PRETRAINING;
    count("pretrain_steps", Type.POSITIVE_INT, MAX_PRETRAIN_STEPS, null, "pretraining: optimizer steps");
    count("pretrain_batch_size", Type.POSITIVE_INT, MAX_COUNT, null, "pretraining: batch size");
    key("pretrain_learning_rate", Type.POSITIVE_DOUBLE, null, "pretraining: peak AdamW learning rate");
    count("pretrain_seed", Type.INT, ANY_LONG, 0, "pretraining: seed of initialisation and data");
    key("pretrain_weight_decay", Type.NON_NEGATIVE_DOUBLE, 0.0, "pretraining: AdamW decoupled weight decay");
    count("pretrain_warmup_steps", Type.NON_NEGATIVE_INT, MAX_PRETRAIN_STEPS, 0,
        "pretraining: linear learning-rate warm-up steps, then pretrain_schedule");
    choice("pretrain_schedule", List.of("cosine", "constant"), "cosine", "pretraining: the learning rate after the warm-up: "
        + "cosine decay to 10% of the peak at pretrain_steps (cosine) or the peak throughout (constant)");
    key("pretrain_prompt_dropout", Type.NON_NEGATIVE_DOUBLE, 0.1, "pretraining: share of prompts replaced by \"\" (for CFG)");
    key("pretrain_ema_decay", Type.NON_NEGATIVE_DOUBLE, 0.999, "pretraining: per-step EMA decay of the shipped weights "
        + "(0: the last step's weights)");
    key("pretrain_shapes_share", Type.NON_NEGATIVE_DOUBLE, 0.5, "pretraining (image model): share of shapes-world items (the rest is text)");
    choice("pretrain_words", List.of("train", "fresh"), "train", "pretraining (image model): text items ask for the training "
        + "prompts' words (train) or for fresh random words, never a held-out one (fresh)");
    count("pretrain_checkpoint_every", Type.POSITIVE_INT, MAX_PRETRAIN_STEPS, 250,
        "pretraining: steps between resumable checkpoints in pretrain_dir");
    key("pretrain_init_only", Type.STRING, null, "pretraining: take only the pretrain_init parameters whose names "
        + "start with one of these comma-separated prefixes (e.g. a trained text encoder, text.); the rest start fresh");
    key("pretrain_init", Type.PATH, null, "pretraining: continue from this base checkpoint's weights (fresh optimizer) "
        + "instead of a random initialisation");
    key("pretrain_dir", Type.PATH, null, "pretraining: resumable state directory (rerun to resume); unset: no checkpoints "
        + "before the base");

    section = Section.RUNTIME;
    choice("device", List.of("auto", "cpu", "gpu"), "auto", "where networks compute: auto = the first GPU PyTorch sees, else the CPU");
    choice("runner", List.of("flink", "direct"), "flink", "Beam runner: Flink (embedded or a cluster) or the DirectRunner");
    key("flink_master", Type.STRING, "[local]",
        "[local]: one in-process Flink cluster for the whole run; [auto]: a fresh local cluster per pipeline; or host:port");
    count("parallelism", Type.POSITIVE_INT, MAX_WORKERS, 2, "pipeline parallelism (workers)");
    key("output_dir", Type.PATH, null, "the run directory (default: outputs/<config name>)");
    KEYS.put("metrics_sinks", new Key("metrics_sinks", section, Type.CHOICE_LIST, List.of("tensorboard"), 0, List.of(),
        "where metrics go besides the run's own files: [tensorboard] adds one TensorBoard event file per epoch under tensorboard/"));
  }

  private ConfigKeys() {}

  /** The key, or null if unknown. */
  public static Key get(String name) {
    return KEYS.get(name);
  }

  /** Every key name, in the table's order (section by section). */
  public static Iterable<String> names() {
    return KEYS.keySet();
  }

  /** Every key, in the table's order. */
  public static List<Key> all() {
    return List.copyOf(KEYS.values());
  }

  /** The keys of each section, in the table's order. */
  public static Map<Section, List<Key>> bySection() {
    Map<Section, List<Key>> out = new TreeMap<>();
    for (Key k : KEYS.values()) {
      out.computeIfAbsent(k.section(), s -> new ArrayList<>()).add(k);
    }
    return out;
  }

  /**
   * Keys that ram no longer has, with the one value each may still hold because it is what ram now
   * always does (configs and run directories written by an earlier ram carry them); any other value
   * is refused as an unknown key.
   */
  private static final Map<String, Object> RETIRED = Map.of("optimizer", "adamw", "update_velocity", "conditional");

  /** Whether {@code key: value} is a retired key at the value ram now always uses, to be skipped. */
  static boolean retired(String key, Object value) {
    return RETIRED.containsKey(key) && RETIRED.get(key).equals(value);
  }

  /** The reward whose setting {@code key} is ({@code onnx} for {@code onnx_model}), or null for any other key. */
  public static String rewardOf(String key) {
    return REWARD_OF.get(key);
  }

  /**
   * Keys that do not change what a run trains (how it executes, what its checks score, and the
   * reward settings that only say how a reward runs); changing them on resume is allowed.
   */
  public static final List<String> EXECUTION_KEYS = executionKeys();

  private static List<String> executionKeys() {
    List<String> keys = new ArrayList<>(List.of("epochs", "runner", "flink_master", "parallelism", "device",
        "eval_every", "eval_rewards", "output_dir", "max_reward_failures"));
    keys.addAll(REWARD_EXECUTION_KEYS);
    return List.copyOf(keys);
  }
}
