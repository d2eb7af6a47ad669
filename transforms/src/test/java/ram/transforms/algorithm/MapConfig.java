package ram.transforms.algorithm;

import java.util.Map;

/** A config of literal values for tests; a missing key fails naming it, as a run's config does. */
public record MapConfig(Map<String, Object> values) implements ConfigSource {

  private Object require(String key) {
    if (!values.containsKey(key)) {
      throw new IllegalArgumentException("no key '" + key + "'");
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

  @Override
  public double getDouble(String key) {
    return ((Number) require(key)).doubleValue();
  }

  @Override
  public String getString(String key) {
    return (String) require(key);
  }
}
