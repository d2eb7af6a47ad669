package ram.transforms.algorithm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import ram.config.RunConfig;
import ram.transforms.algorithm.flowgrpo.FlowGrpoAlgorithm;
import ram.transforms.algorithm.ram.RamAlgorithm;

/**
 * The post-training algorithms by their config name ({@code algorithm:}), each built from the
 * run's typed config: the one place that knows every implementation (the {@code algorithm} key's
 * choices in {@code ConfigKeys} list the same names; a test keeps them equal). RAM is the default.
 */
public final class Algorithms {

  private static final Map<String, Function<RunConfig, PostTrainingAlgorithm>> BY_NAME = new LinkedHashMap<>();

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

  /** The algorithm {@code config} runs, with the settings its keys give. */
  public static PostTrainingAlgorithm of(RunConfig config) {
    return named(config.schedule().algorithm(), config);
  }

  /** The algorithm called {@code name}, with the settings {@code config}'s keys give; an unknown name is refused. */
  public static PostTrainingAlgorithm named(String name, RunConfig config) {
    Function<RunConfig, PostTrainingAlgorithm> factory = BY_NAME.get(name);
    if (factory == null) {
      throw new IllegalArgumentException("unknown algorithm '" + name + "'; expected one of " + names());
    }
    return factory.apply(config);
  }
}
