package ram.rewards;

import java.util.List;

/**
 * One config key a reward reads, declared by its {@link RewardProvider}: the run config lists it
 * beside the built-in keys, type-checks its value, writes it into a run's resolved config and
 * shows it in {@code --help} and {@code ./ram validate}. A key starts with its reward's name and
 * an underscore ({@code onnx_model} belongs to {@code onnx}), so rewards never share a key.
 *
 * @param key the config key
 * @param kind the kind of value it takes
 * @param choices the legal values of a {@link Kind#CHOICE} key (empty otherwise)
 * @param max the largest value of an integer key (unused otherwise)
 * @param defaultValue the value where a config leaves the key out, or null: none (the reward then
 *     refuses to start without it, naming the key)
 * @param doc one line on what the key does
 * @param execution whether the key only says how the reward runs (timeouts, concurrency), never
 *     what it scores: such a key may change when a run resumes
 */
public record RewardSetting(String key, Kind kind, List<String> choices, long max, Object defaultValue, String doc, boolean execution) {

  /** What a setting holds. */
  public enum Kind {
    /** text */
    STRING,
    /** a file; a relative path is resolved against ram's home directory before the reward sees it */
    PATH,
    /** one of {@link #choices} */
    CHOICE,
    /** an integer of at least 1 and at most {@link #max} */
    POSITIVE_INT,
    /** an integer of at least 0 and at most {@link #max} */
    NON_NEGATIVE_INT,
    /** a finite number */
    DOUBLE,
    /** a finite number above 0 */
    POSITIVE_DOUBLE,
    /** a finite number of at least 0 */
    NON_NEGATIVE_DOUBLE,
    /** a list of finite numbers, e.g. {@code [0.5, 0.5, 0.5]} */
    NUMBER_LIST,
    /** a name, or a non-negative integer index, e.g. of a model's output */
    NAME_OR_INDEX
  }

  public RewardSetting {
    choices = List.copyOf(choices);
    if (key == null || !key.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("reward setting key must be snake_case, got '" + key + "'");
    }
  }

  /** A setting of {@code kind} that is not an integer or a choice. */
  public static RewardSetting of(String key, Kind kind, Object defaultValue, String doc) {
    if (kind == Kind.POSITIVE_INT || kind == Kind.NON_NEGATIVE_INT || kind == Kind.CHOICE) {
      throw new IllegalArgumentException("setting " + key + ": use count(...) or choice(...) for " + kind);
    }
    return new RewardSetting(key, kind, List.of(), 0, defaultValue, doc, false);
  }

  /** An integer setting ({@link Kind#POSITIVE_INT} or {@link Kind#NON_NEGATIVE_INT}) of at most {@code max}. */
  public static RewardSetting count(String key, Kind kind, long max, Integer defaultValue, String doc) {
    if (kind != Kind.POSITIVE_INT && kind != Kind.NON_NEGATIVE_INT) {
      throw new IllegalArgumentException("setting " + key + ": count(...) takes an integer kind, got " + kind);
    }
    return new RewardSetting(key, kind, List.of(), max, defaultValue, doc, false);
  }

  /** A setting that takes one of {@code choices}. */
  public static RewardSetting choice(String key, List<String> choices, String defaultValue, String doc) {
    return new RewardSetting(key, Kind.CHOICE, choices, 0, defaultValue, doc, false);
  }

  /** This setting, marked as one that changes how the reward runs but not what it scores. */
  public RewardSetting executionOnly() {
    return new RewardSetting(key, kind, choices, max, defaultValue, doc, true);
  }
}
