package ram.runners;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.error.YAMLException;

import ram.rewards.RewardRegistry;
import ram.transforms.algorithm.ConfigSource;

/**
 * A resolved run config: the experiment's YAML plus command-line overrides, every value checked
 * against {@link ConfigKeys}. Paths are kept as written; {@link #path} resolves them.
 */
public final class RunConfig implements ConfigSource {

  private final String name;
  private final LinkedHashMap<String, Object> values;

  private RunConfig(String name, LinkedHashMap<String, Object> values) {
    this.name = name;
    this.values = values;
  }

  /** The config's name: the YAML file's stem, e.g. {@code toy2d}. */
  public String name() {
    return name;
  }

  /** Loads {@code file} and applies {@code overrides} (key to raw string value). */
  public static RunConfig load(Path file, Map<String, String> overrides) {
    String stem = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    parseYaml(file).forEach((k, v) -> values.put(k, check(file + ": key '" + k + "'", k, v)));
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      values.put(o.getKey(), check("--" + o.getKey(), o.getKey(), parseOverride(o.getKey(), o.getValue())));
    }
    RunConfig config = new RunConfig(stem, values);
    ConfigLimits.requireFits(config);
    return config;
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
        || k.type() == ConfigKeys.Type.CHOICE)) {
      return raw; // taken as written: "[local]" is a master, not a YAML list
    }
    if (k != null && k.type() == ConfigKeys.Type.REGEX_LIST && !raw.strip().startsWith("[")) {
      return raw; // one regular expression, taken as written; a YAML list [a, b] for several
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

  private Object require(String key) {
    if (ConfigKeys.get(key) == null) {
      throw new IllegalArgumentException("no config key " + key);
    }
    if (!values.containsKey(key)) {
      throw new ConfigException("config '" + name + "' has no key '" + key + "' (" + ConfigKeys.get(key).doc() + ")");
    }
    return values.get(key);
  }

  @Override
  public boolean has(String key) {
    return values.containsKey(key);
  }

  @Override
  public int getInt(String key) {
    return ((Number) require(key)).intValue();
  }

  public long getLong(String key) {
    return ((Number) require(key)).longValue();
  }

  @Override
  public double getDouble(String key) {
    return ((Number) require(key)).doubleValue();
  }

  @Override
  public String getString(String key) {
    return (String) require(key);
  }

  @SuppressWarnings("unchecked")
  public List<String> getStrings(String key) {
    return (List<String>) require(key);
  }

  @SuppressWarnings("unchecked")
  public Map<String, Double> getWeights(String key) {
    return (Map<String, Double>) require(key);
  }

  /** What the in-run check and {@code ./ram evaluate} score: {@code eval_rewards} if set, else the run's rewards. */
  public Map<String, Double> evalRewards() {
    return getWeights(has("eval_rewards") ? "eval_rewards" : "rewards");
  }

  /** A path value: absolute as written, else relative to {@code base}. */
  public Path path(String key, Path base) {
    Path p = Path.of(getString(key));
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

  /** All values, in file order. */
  public Map<String, Object> values() {
    return java.util.Collections.unmodifiableMap(values);
  }

  /** The keys whose values differ from {@code other}'s, ignoring {@link ConfigKeys#EXECUTION_KEYS}. */
  public java.util.List<String> trainingDifferences(RunConfig other) {
    java.util.TreeSet<String> keys = new java.util.TreeSet<>(values.keySet());
    keys.addAll(other.values.keySet());
    keys.removeAll(ConfigKeys.EXECUTION_KEYS);
    return keys.stream().filter(k -> !java.util.Objects.equals(values.get(k), other.values.get(k))).toList();
  }

  /** The config as YAML, with the config name in a comment. */
  public String toYaml() {
    return "# resolved config '" + name + "' (file + overrides), written by ram\n" + ConfigYaml.dumper().dump(new LinkedHashMap<>(values));
  }

  /** Reads a resolved config written by {@link #toYaml()}. */
  public static RunConfig readResolved(Path file, String name) {
    LinkedHashMap<String, Object> values = new LinkedHashMap<>();
    parseYaml(file).forEach((k, v) -> values.put(k, check(file + ": key '" + k + "'", k, v)));
    return new RunConfig(name, values);
  }
}
