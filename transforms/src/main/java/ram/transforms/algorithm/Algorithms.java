package ram.transforms.algorithm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import ram.transforms.algorithm.flowgrpo.FlowGrpoAlgorithm;
import ram.transforms.algorithm.ram.RamAlgorithm;

/**
 * The post-training algorithms by their config name ({@code algorithm:}), each built from the
 * run's config keys: the one place that knows every implementation. RAM is the default.
 */
public final class Algorithms {

  private static final Map<String, Function<ConfigSource, PostTrainingAlgorithm>> BY_NAME = new LinkedHashMap<>();

  static {
    BY_NAME.put(RamAlgorithm.NAME, RamAlgorithm::fromConfig);
    BY_NAME.put(FlowGrpoAlgorithm.NAME, FlowGrpoAlgorithm::fromConfig);
  }

  /** The algorithm of a config without an {@code algorithm} key. */
  public static final String DEFAULT = RamAlgorithm.NAME;

  private Algorithms() {}

  /** Every algorithm's config name, the default first. */
  public static List<String> names() {
    return List.copyOf(BY_NAME.keySet());
  }

  /** The name of the algorithm {@code config} runs: its {@code algorithm} key, or the default. */
  public static String nameIn(ConfigSource config) {
    return config.has("algorithm") ? config.getString("algorithm") : DEFAULT;
  }

  /** The algorithm {@code config} runs, with the settings its keys give. */
  public static PostTrainingAlgorithm of(ConfigSource config) {
    return named(nameIn(config), config);
  }

  /** The algorithm called {@code name}, with the settings {@code config}'s keys give; an unknown name is refused. */
  public static PostTrainingAlgorithm named(String name, ConfigSource config) {
    Function<ConfigSource, PostTrainingAlgorithm> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("unknown algorithm '" + name + "'; expected one of " + names());
    }
    return factory.apply(config);
  }
}
