package ram.rewards;

import java.util.List;

/**
 * The service by which a reward becomes known by name: a class implementing it, with a public
 * no-argument constructor, listed in {@code META-INF/services/ram.rewards.RewardProvider} of a jar
 * on ram's class path, is found by {@link java.util.ServiceLoader}, and a config then names its
 * reward like a built-in ({@code rewards: {NAME: 1.0}}). The built-in rewards are registered the
 * same way. docs/your-reward.md has a complete example.
 */
public interface RewardProvider {

  /** The name configs use for the reward, e.g. {@code onnx}: lower case, digits and underscores. */
  String name();

  /**
   * The config keys the reward reads, each starting with {@code name() + "_"}. The run config
   * type-checks them and hands their values to {@link #create}.
   */
  default List<RewardSetting> settings() {
    return List.of();
  }

  /**
   * A new reward instance (one per worker; it may hold heavy resources until closed).
   *
   * @param settings the values of the config's reward settings, those of {@link #settings()}
   *     filled with their defaults where the config leaves them out
   * @throws IllegalArgumentException in one line, naming the key or file and what is wrong, when
   *     the settings do not describe a reward that can score (a missing file, a model of another shape)
   */
  Reward create(RewardSettings settings);
}
