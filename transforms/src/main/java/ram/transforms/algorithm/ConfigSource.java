package ram.transforms.algorithm;

/**
 * The keys of a run's resolved config, as an algorithm reads its settings from them. A missing key
 * is an error of the implementation that names the key.
 */
public interface ConfigSource {

  boolean has(String key);

  int getInt(String key);

  double getDouble(String key);

  String getString(String key);
}
