package ram.config;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.error.YAMLException;

import ram.model.AdvantageMode;
import ram.model.LaggedPolicy;
import ram.model.OdeSampler;
import ram.model.TimeSampler;
import ram.model.torchscript.TorchScriptSpec;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardSettings;

/**
 * A run's config, built once: the experiment's YAML (with what it {@code extends}) plus command-line
 * overrides, every value checked against {@link ConfigKeys}, every key it leaves out at its
 * default. Commands read it through typed sections, one immutable record per concern
 * ({@link #task()}, {@link #model()}, {@link #sampling()}, ...); a section whose required keys the
 * config lacks is refused where it is read, naming the key. Paths are kept as written;
 * {@link #resolve} resolves them.
 */
public final class RunConfig {

  /** The key naming the config a YAML file builds on: {@code extends: geneval}. */
  public static final String EXTENDS = "extends";

  private final String name;
  /** the values the file, what it extends and the overrides set */
  private final LinkedHashMap<String, Object> values;
  /** every key with a value: the defaults, then {@link #values} */
  private final LinkedHashMap<String, Object> resolved;

  private RunConfig(String name, LinkedHashMap<String, Object> values) {
    this.name = name;
    this.values = values;
    this.resolved = new LinkedHashMap<>();
    for (ConfigKeys.Key k : ConfigKeys.all()) {
      Object v = values.containsKey(k.name()) ? values.get(k.name()) : k.defaultValue();
      if (v != null) {
        resolved.put(k.name(), v);
      }
    }
    resolved.putIfAbsent("eval_steps", resolved.get("sample_steps"));
    resolved.putIfAbsent("output_dir", "outputs/" + name);
  }

  /** The config's name: the YAML file's stem, e.g. {@code toy2d}. */
  public String name() {
    return name;
  }

  /** Loads {@code file} (and the configs it extends) and applies {@code overrides} (key to raw string value). */
  public static RunConfig load(Path file, Map<String, String> overrides) {
    String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    readWithParents(file, values, new ArrayList<>());
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      values.put(o.getKey(), check("--" + o.getKey(), o.getKey(), parseOverride(o.getKey(), o.getValue())));
    }
    RunConfig config = new RunConfig(stem, values);
    ConfigLimits.requireFits(config);
    return config;
  }

  /**
   * Reads {@code file} into {@code values}, the config it extends first: {@code extends: NAME} names
   * {@code NAME.yaml} beside the file, or a path relative to the file's directory.
   */
  private static void readWithParents(Path file, LinkedHashMap<String, Object> values, List<Path> chain) {
    Path normal = file.toAbsolutePath().normalize();
    if (chain.contains(normal)) {
      throw new ConfigException(file + ": key '" + EXTENDS + "': the configs extend each other in a cycle ("
          + String.join(" -> ", chain.stream().map(Path::toString).toList()) + " -> " + normal + ")");
    }
    chain.add(normal);
    Map<String, Object> own = parseYaml(file);
    Object parent = own.remove(EXTENDS);
    if (parent != null) {
      if (!(parent instanceof String p) || p.isBlank()) {
        throw new ConfigException(file + ": key '" + EXTENDS + "': expected the name of a config, got '" + parent + "'");
      }
      Path dir = normal.getParent();
      Path named = dir.resolve(p.endsWith(".yaml") || p.endsWith(".yml") ? p : p + ".yaml").normalize();
      if (!Files.isRegularFile(named)) {
        throw new ConfigException(file + ": key '" + EXTENDS + "': no config " + named);
      }
      readWithParents(named, values, chain);
    }
    own.forEach((k, v) -> {
      if (!ConfigKeys.retired(k, v)) {
        values.put(k, check(file + ": key '" + k + "'", k, v));
      }
    });
  }

  /** Reads a YAML mapping; malformed YAML or a non-mapping is an error naming the file. */
  static Map<String, Object> parseYaml(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read config (" + e.getMessage() + ")");
    }
    Object doc;
    try {
      doc = ConfigYaml.loader().load(text);
    } catch (DuplicateKeyException e) {
      throw new ConfigException(ConfigYaml.duplicateKey(file, e));
    } catch (YAMLException e) {
      throw new ConfigException(file + ": malformed YAML: " + e.getMessage().replace('\n', ' '));
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ConfigException(file + ": expected a mapping of keys to values at the top level");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static Object parseOverride(String key, String raw) {
    ConfigKeys.Key k = ConfigKeys.get(key);
    if (k != null && (k.type() == ConfigKeys.Type.STRING || k.type() == ConfigKeys.Type.PATH
        || k.type() == ConfigKeys.Type.CHOICE || k.type() == ConfigKeys.Type.NAME_OR_INDEX)) {
      return raw; // taken as written: "[local]" is a master, not a YAML list
    }
    if (k != null && k.type() == ConfigKeys.Type.REGEX_LIST && !raw.strip().startsWith("[")) {
      return raw; // one regular expression, taken as written; a YAML list [a, b] for several
    }
    if (k != null && k.type() == ConfigKeys.Type.CHOICE_LIST && !raw.strip().startsWith("[")) {
      return raw.isBlank() ? List.of() : List.of(raw.split(",")).stream().map(String::strip).toList();
    }
    if (k != null && (k.type() == ConfigKeys.Type.SHAPE || k.type() == ConfigKeys.Type.NUMBER_LIST) && !raw.strip().startsWith("[")) {
      List<Object> dims = new ArrayList<>();
      for (String part : raw.split(",")) {
        dims.add(ConfigYaml.loader().load(part.strip()));
      }
      return dims; // 4,8,8 as well as [4, 8, 8]; 0.5,0.5,0.5 as well as [0.5, 0.5, 0.5]
    }
    if (k != null && k.type() == ConfigKeys.Type.WEIGHTS) {
      Map<String, Object> weights = new TreeMap<>();
      for (String part : raw.split(",")) {
        String[] kv = part.split("=", 2);
        weights.put(kv[0].strip(), kv.length == 2 ? (Object) kv[1].strip() : (Object) 1.0);
      }
      return weights;
    }
    try {
      return ConfigYaml.loader().load(raw);
    } catch (YAMLException e) {
      return raw;
    }
  }

  /** Validates one value against its key's type; returns the normalised value. */
  static Object check(String where, String key, Object value) {
    ConfigKeys.Key k = ConfigKeys.get(key);
    if (k == null) {
      throw new ConfigException(where + ": unknown key '" + key + "'; known keys: " + String.join(", ", ConfigKeys.names()));
    }
    String expected = switch (k.type()) {
      case INT, POSITIVE_INT, NON_NEGATIVE_INT -> "an integer";
      case DOUBLE, POSITIVE_DOUBLE, NON_NEGATIVE_DOUBLE -> "a number";
      case STRING, PATH -> "a string";
      case OPTIONAL_PATH -> "a path or null";
      case CHOICE -> "one of " + k.choices();
      case WEIGHTS -> "a mapping of reward names to numbers";
      case REGEX_LIST -> "a regular expression or a list of them";
      case SHAPE -> "a shape: a list of positive integers such as [4, 8, 8]";
      case CHOICE_LIST -> "a list of " + k.choices();
      case NUMBER_LIST -> "a list of numbers such as [0.5, 0.5, 0.5]";
      case NAME_OR_INDEX -> "a name or a non-negative integer index";
    };
    String bad = where + ": expected " + expected + ", got '" + value + "'";
    switch (k.type()) {
      case INT, POSITIVE_INT, NON_NEGATIVE_INT -> {
        if (!(value instanceof Integer || value instanceof Long || value instanceof BigInteger)) {
          throw new ConfigException(withHint(bad, value));
        }
        BigInteger v = value instanceof BigInteger b ? b : BigInteger.valueOf(((Number) value).longValue());
        if (k.type() == ConfigKeys.Type.POSITIVE_INT && v.signum() <= 0 || k.type() == ConfigKeys.Type.NON_NEGATIVE_INT && v.signum() < 0) {
          throw new ConfigException(where + ": expected " + (k.type() == ConfigKeys.Type.POSITIVE_INT ? "a positive" : "a non-negative")
              + " integer, got " + v);
        }
        if (v.compareTo(BigInteger.valueOf(k.max())) > 0) {
          throw new ConfigException(where + ": " + v + " is above the limit of " + k.max());
        }
        if (v.compareTo(BigInteger.valueOf(Long.MIN_VALUE)) < 0) {
          throw new ConfigException(where + ": " + v + " is below the limit of " + Long.MIN_VALUE);
        }
        return value;
      }
      case DOUBLE, POSITIVE_DOUBLE, NON_NEGATIVE_DOUBLE -> {
        if (value instanceof String s && ConfigYaml.hint(s) == null) {
          value = parseNumber(s); // a number written as a quoted string
        }
        if (!(value instanceof Number)) {
          throw new ConfigException(withHint(bad, value));
        }
        double v = ((Number) value).doubleValue();
        if (!Double.isFinite(v) || k.type() == ConfigKeys.Type.POSITIVE_DOUBLE && v <= 0
            || k.type() == ConfigKeys.Type.NON_NEGATIVE_DOUBLE && v < 0) {
          throw new ConfigException(where + ": " + v + " is out of range for " + k.type().name().toLowerCase().replace('_', ' '));
        }
        return v;
      }
      case STRING, PATH -> {
        if (!(value instanceof String s) || s.isEmpty()) {
          throw new ConfigException(bad);
        }
        return s;
      }
      case OPTIONAL_PATH -> {
        if (value != null && !(value instanceof String)) {
          throw new ConfigException(bad);
        }
        return value;
      }
      case CHOICE -> {
        if (!(value instanceof String s) || !k.choices().contains(s)) {
          throw new ConfigException(bad);
        }
        return s;
      }
      case WEIGHTS -> {
        if (!(value instanceof Map<?, ?> map) || map.isEmpty()) {
          throw new ConfigException(bad);
        }
        TreeMap<String, Double> weights = new TreeMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
          Object w = e.getValue() instanceof String s && ConfigYaml.hint(s) == null ? parseNumber(s) : e.getValue();
          if (!(w instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw new ConfigException(where + ": weight of reward '" + e.getKey() + "' must be a number, got '" + e.getValue() + "'");
          }
          String name = String.valueOf(e.getKey());
          if (!RewardRegistry.names().contains(name)) {
            throw new ConfigException(where + ": " + RewardRegistry.unknown(name) + " (on the command line: --" + key
                + " name=weight[,name=weight])");
          }
          weights.put(name, n.doubleValue());
        }
        return weights;
      }
      case REGEX_LIST -> {
        List<?> items = value instanceof String s ? List.of(s) : value instanceof List<?> l ? l : List.of();
        if (items.isEmpty() || !items.stream().allMatch(item -> item instanceof String s && !s.isEmpty())) {
          throw new ConfigException(bad);
        }
        for (Object item : items) {
          try {
            Pattern.compile((String) item);
          } catch (PatternSyntaxException e) {
            throw new ConfigException(where + ": '" + item + "' is not a regular expression: " + e.getDescription());
          }
        }
        return items.stream().map(String.class::cast).toList();
      }
      case CHOICE_LIST -> {
        List<?> items = value instanceof String s ? List.of(s) : value instanceof List<?> l ? l : null;
        if (items == null || !items.stream().allMatch(item -> item instanceof String s && k.choices().contains(s))) {
          throw new ConfigException(bad);
        }
        return items.stream().map(String.class::cast).distinct().toList();
      }
      case SHAPE -> {
        List<?> dims = value instanceof Integer i ? List.of(i) : value instanceof List<?> l ? l : List.of();
        if (dims.isEmpty() || !dims.stream().allMatch(d -> d instanceof Integer i && i > 0)) {
          throw new ConfigException(bad);
        }
        return dims.stream().map(Integer.class::cast).toList();
      }
      case NUMBER_LIST -> {
        List<?> items = value instanceof List<?> l ? l : List.of();
        List<Double> numbers = new ArrayList<>();
        for (Object item : items) {
          Object n = item instanceof String s && ConfigYaml.hint(s) == null ? parseNumber(s) : item;
          if (!(n instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw new ConfigException(withHint(bad, item));
          }
          numbers.add(number.doubleValue());
        }
        if (numbers.isEmpty()) {
          throw new ConfigException(bad);
        }
        return List.copyOf(numbers);
      }
      case NAME_OR_INDEX -> {
        if (value instanceof Integer i && i >= 0) {
          return Integer.toString(i);
        }
        if (!(value instanceof String s) || s.isEmpty()) {
          throw new ConfigException(bad);
        }
        return s;
      }
      default -> throw new IllegalStateException();
    }
  }

  /** The type error, with the reason when the value is a YAML 1.1 number that is refused. */
  private static String withHint(String bad, Object value) {
    String hint = value instanceof String s ? ConfigYaml.hint(s) : null;
    return hint == null ? bad : bad + " (" + hint + ")";
  }

  private static Object parseNumber(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return s;
    }
  }

  /** The value of {@code key}, its default where the config leaves it out; a missing required key is an error naming it. */
  Object require(String key) {
    if (ConfigKeys.get(key) == null) {
      throw new IllegalArgumentException("no config key " + key);
    }
    if (!resolved.containsKey(key)) {
      throw new ConfigException("config '" + name + "' has no key '" + key + "' (" + ConfigKeys.get(key).doc() + ")");
    }
    return resolved.get(key);
  }

  /** Whether the config (its file, what it extends, or an override) sets {@code key}, rather than leaving it at its default. */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  int integer(String key) {
    return ((Number) require(key)).intValue();
  }

  long longValue(String key) {
    return ((Number) require(key)).longValue();
  }

  double number(String key) {
    return ((Number) require(key)).doubleValue();
  }

  String string(String key) {
    return (String) require(key);
  }

  /** An optional value: null where neither the config nor a default sets it. */
  private String optional(String key) {
    return (String) resolved.get(key);
  }

  @SuppressWarnings("unchecked")
  private SortedMap<String, Double> weights(String key) {
    Object v = resolved.get(key);
    return v == null ? null : Collections.unmodifiableSortedMap(new TreeMap<>((Map<String, Double>) v));
  }

  /** The task, its prompts and rewards. */
  public TaskSettings task() {
    SortedMap<String, Double> rewards = weights("rewards");
    if (rewards == null) {
      require("rewards");
    }
    return new TaskSettings(string("task"), optional("prompts"), rewards, number("max_reward_failures"));
  }

  /**
   * The values of every reward setting ({@code onnx_model}, {@code http_url}, a user's reward's
   * keys), defaults included, as the rewards' factories read them; paths resolved against
   * {@code home} (ram's home directory, as the model's paths are).
   */
  public RewardSettings rewardSettings(Path home) {
    return RewardKeys.settings(resolved, home);
  }

  /**
   * Whether {@code key} concerns this run: any key but a reward setting; a reward setting when the
   * config sets it or its reward is among {@code rewards} and {@code eval_rewards}. A run's
   * resolved config and {@code ./ram validate} leave the others out.
   */
  public boolean concerns(String key) {
    return RewardKeys.concerns(key, has(key), resolved);
  }

  /** The run seed: prompts, noise and re-noising all derive from it. */
  public long seed() {
    return longValue("seed");
  }

  /** The task's name, without requiring the rest of {@link #task()}. */
  public String taskName() {
    return string("task");
  }

  /** The network and its base. */
  @SuppressWarnings("unchecked")
  public ModelSettings model() {
    String model = string("model");
    TorchScriptSpec torchscript = null;
    if (!model.equals(TorchScriptSpec.MODEL)) {
      for (String key : List.of("velocity", "sample_shape", "text_encoder", "prompt_embeddings", "decoder", "trainable")) {
        if (has(key) && !Objects.equals(resolved.get(key), ConfigKeys.get(key).defaultValue())) {
          throw new ConfigException("config '" + name + "': " + key + " is set, but model is " + model + "; it applies to model: "
              + TorchScriptSpec.MODEL + " (docs/your-model.md)");
        }
      }
    } else if (resolved.get("text_encoder") != null && resolved.get("prompt_embeddings") != null) {
      throw new ConfigException("config '" + name + "': text_encoder and prompt_embeddings are both set; a TorchScript model is "
          + "conditioned by one of them");
    }
    if (model.equals(TorchScriptSpec.MODEL)) {
      torchscript = new TorchScriptSpec(string("velocity"), List.copyOf((List<Integer>) require("sample_shape")),
          optional("text_encoder"), integer("text_length"), optional("prompt_embeddings"), optional("decoder"), string("trainable"),
          optional("init_weights"));
    }
    return new ModelSettings(model, torchscript == null ? string("base_checkpoint") : null, optional("base_sha256"), optional("init_weights"),
        torchscript);
  }

  /** Full fine-tuning or LoRA. */
  @SuppressWarnings("unchecked")
  public FinetuneSettings finetune() {
    return new FinetuneSettings(string("finetune").equals("lora"), integer("lora_rank"), number("lora_alpha"),
        List.copyOf((List<String>) require("lora_targets")));
  }

  /** The algorithm and each epoch's budget. */
  public ScheduleSettings schedule() {
    return new ScheduleSettings(string("algorithm"), integer("epochs"), integer("prompts_per_epoch"), integer("images_per_prompt"),
        integer("optimizer_steps_per_epoch"), integer("gradient_shards"));
  }

  /** Whether the run post-trains by Flow-GRPO rather than RAM. */
  public boolean flowGrpo() {
    return string("algorithm").equals("flow_grpo");
  }

  /** RAM's settings. */
  public RamSettings ram() {
    return new RamSettings(integer("renoisings"), TimeSampler.parse(string("time_sampler")), number("reward_multiplier"),
        AdvantageMode.parse(string("advantage")), LaggedPolicy.parse(string("lagged_policy")));
  }

  /** Flow-GRPO's settings. */
  public FlowGrpoSettings flowGrpoSettings() {
    return new FlowGrpoSettings(number("sde_noise_level"), integer("grpo_trained_steps"), number("grpo_clip_range"), number("beta_kl"),
        number("max_grad_norm"), number("advantage_clip"));
  }

  /** The optimizer. */
  public OptimizerSettings optimizer() {
    return new OptimizerSettings(number("learning_rate"), number("weight_decay"), number("adam_beta1"), number("adam_beta2"),
        number("adam_epsilon"));
  }

  /** The training sampler. */
  public SamplingSettings sampling() {
    return new SamplingSettings(integer("sample_steps"), OdeSampler.Method.parse(string("ode_solver")), number("cfg_scale"),
        number("time_shift"));
  }

  /** The held-out evaluation; its rewards are {@code eval_rewards}, else the run's rewards. */
  public EvaluationSettings evaluation() {
    SortedMap<String, Double> rewards = weights(resolved.containsKey("eval_rewards") ? "eval_rewards" : "rewards");
    return new EvaluationSettings(integer("eval_samples"), integer("eval_steps"), longValue("eval_seed"), optional("eval_prompts"),
        integer("eval_images_per_prompt"), integer("eval_every"), rewards);
  }

  /** Pretraining a base. */
  public PretrainSettings pretraining() {
    return new PretrainSettings(integer("pretrain_steps"), integer("pretrain_batch_size"), number("pretrain_learning_rate"),
        longValue("pretrain_seed"), number("pretrain_weight_decay"), integer("pretrain_warmup_steps"), string("pretrain_schedule"),
        number("pretrain_prompt_dropout"), number("pretrain_ema_decay"), number("pretrain_shapes_share"), string("pretrain_words"),
        integer("pretrain_checkpoint_every"), optional("pretrain_init"), optional("pretrain_init_only"), optional("pretrain_dir"));
  }

  /** Where and how it runs. */
  @SuppressWarnings("unchecked")
  public RuntimeSettings runtime() {
    return new RuntimeSettings(string("device"), string("runner"), string("flink_master"), integer("parallelism"),
        string("output_dir"), List.copyOf((List<String>) require("metrics_sinks")));
  }

  /** A path value as written: absolute as it is, else relative to {@code base}. */
  public static Path resolve(String written, Path base) {
    Path p = Path.of(written);
    return p.isAbsolute() ? p : base.resolve(p).normalize();
  }

  /** A copy with one command-line override applied ({@code --key raw}), parsed and checked as {@link #load} does. */
  public RunConfig withOverride(String key, String raw) {
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>(values);
    copy.put(key, check("--" + key, key, parseOverride(key, raw)));
    return new RunConfig(name, copy);
  }

  /** A copy with one value replaced (checked). */
  public RunConfig with(String key, Object value) {
    LinkedHashMap<String, Object> copy = new LinkedHashMap<>(values);
    copy.put(key, check("setting " + key, key, value));
    return new RunConfig(name, copy);
  }

  /** A copy whose keys left at their defaults take {@code other}'s values. */
  public RunConfig withDefaultsFrom(RunConfig other) {
    LinkedHashMap<String, Object> merged = new LinkedHashMap<>(other.values);
    merged.putAll(values);
    return new RunConfig(name, merged);
  }

  /** The values the config sets (file, extended configs, overrides), in file order. */
  public Map<String, Object> values() {
    return Collections.unmodifiableMap(values);
  }

  /** Every key with a value, defaults included, in the table's order. */
  public Map<String, Object> resolvedValues() {
    return Collections.unmodifiableMap(resolved);
  }

  /** The keys whose resolved values differ from {@code other}'s, ignoring {@link ConfigKeys#EXECUTION_KEYS}. */
  public List<String> trainingDifferences(RunConfig other) {
    TreeSet<String> keys = new TreeSet<>(resolved.keySet());
    keys.addAll(other.resolved.keySet());
    keys.removeAll(ConfigKeys.EXECUTION_KEYS);
    return keys.stream().filter(k -> !Objects.equals(resolved.get(k), other.resolved.get(k))).toList();
  }

  /** The config as YAML with every resolved value, defaults included, and the config name in a comment. */
  public String toYaml() {
    return "# resolved config '" + name + "' (file + overrides + defaults), written by ram\n"
        + ConfigYaml.dumper().dump(concerned());
  }

  /** The resolved values of the keys that {@link #concerns} this run. */
  private LinkedHashMap<String, Object> concerned() {
    LinkedHashMap<String, Object> out = new LinkedHashMap<>();
    resolved.forEach((k, v) -> {
      if (concerns(k)) {
        out.put(k, v);
      }
    });
    return out;
  }

  /** Reads a resolved config written by {@link #toYaml()}. */
  public static RunConfig readResolved(Path file, String name) {
    LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    parseYaml(file).forEach((k, v) -> {
      if (!ConfigKeys.retired(k, v)) {
        values.put(k, check(file + ": key '" + k + "'", k, v));
      }
    });
    return new RunConfig(name, values);
  }
}
