package ram.rewards;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values of the reward settings a run's config holds ({@link RewardSetting}), as a reward's
 * factory reads them: typed getters that name the key when a value is missing or of the wrong
 * kind. Serializable, so a pipeline carries it to every worker, where each worker creates its own
 * rewards from it. Path values are already resolved (absolute) when the config builds it.
 */
public final class RewardSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  /** No values: every reward runs on its settings' defaults. */
  public static final RewardSettings NONE = new RewardSettings(Map.of());

  /** values: String, Integer, Long, Double or an ArrayList of Doubles */
  private final TreeMap<String, Object> values;

  private RewardSettings(Map<String, ?> values) {
    this.values = new TreeMap<>();
    values.forEach((k, v) -> {
      if (v != null) {
        this.values.put(k, v instanceof List<?> list ? numbers(k, list) : v);
      }
    });
  }

  /** Settings holding {@code values} (key to String, number or list of numbers; null values are left out). */
  public static RewardSettings of(Map<String, ?> values) {
    return new RewardSettings(values);
  }

  private static ArrayList<Double> numbers(String key, List<?> list) {
    ArrayList<Double> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof Number n)) {
        throw new IllegalArgumentException(key + ": expected a list of numbers, got " + list);
      }
      out.add(n.doubleValue());
    }
    return out;
  }

  /** A copy where the keys of {@code declared} that these settings lack take their defaults. */
  public RewardSettings withDefaults(List<RewardSetting> declared) {
    TreeMap<String, Object> merged = new TreeMap<>(values);
    for (RewardSetting s : declared) {
      if (s.defaultValue() != null) {
        merged.putIfAbsent(s.key(), s.defaultValue());
      }
    }
    return new RewardSettings(merged);
  }

  /** A copy with {@code key} set to {@code value}. */
  public RewardSettings with(String key, Object value) {
    TreeMap<String, Object> copy = new TreeMap<>(values);
    copy.put(key, value);
    return new RewardSettings(copy);
  }

  /** Whether {@code key} has a value. */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /** Every value, by key. */
  public Map<String, Object> values() {
    return Collections.unmodifiableMap(values);
  }

  private Object require(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException("no value for key '" + key + "'");
    }
    return v;
  }

  /** A text value; a number is given in its written form. */
  public String string(String key) {
    Object v = require(key);
    return v instanceof String s ? s : String.valueOf(v);
  }

  /** A file, as written in the config after resolution (absolute where the config resolved it). */
  public Path path(String key) {
    return Path.of(string(key));
  }

  /** An integer value. */
  public int integer(String key) {
    Object v = require(key);
    if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() != ((Number) v).intValue()) {
      throw new IllegalArgumentException("key '" + key + "': expected an integer, got '" + v + "'");
    }
    return ((Number) v).intValue();
  }

  /** A number. */
  public double number(String key) {
    Object v = require(key);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException("key '" + key + "': expected a number, got '" + v + "'");
    }
    return n.doubleValue();
  }

  /** A list of numbers. */
  public double[] numbers(String key) {
    Object v = require(key);
    if (!(v instanceof List<?> list)) {
      throw new IllegalArgumentException("key '" + key + "': expected a list of numbers, got '" + v + "'");
    }
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (Double) list.get(i);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RewardSettings other && values.equals(other.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return values.toString();
  }
}
