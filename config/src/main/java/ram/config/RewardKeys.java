package ram.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ram.rewards.RewardSettings;

/**
 * The rewards' own settings inside a run's config ({@link ConfigKeys.Section#REWARD_SETTINGS}):
 * their values as the reward factories read them, and which of them concern a given run.
 */
final class RewardKeys {

  private RewardKeys() {}

  /** Every reward setting of {@code resolved}, paths resolved against {@code home}. */
  static RewardSettings settings(Map<String, Object> resolved, Path home) {
    Map<String, Object> out = new TreeMap<>();
    resolved.forEach((key, value) -> {
      if (ConfigKeys.rewardOf(key) != null) {
        out.put(key, ConfigKeys.get(key).type() == ConfigKeys.Type.PATH ? RunConfig.resolve((String) value, home).toString() : value);
      }
    });
    return RewardSettings.of(out);
  }

  /** Whether {@code key} concerns the run of {@code resolved}: not a reward setting, set, or a setting of one of its rewards. */
  static boolean concerns(String key, boolean set, Map<String, Object> resolved) {
    String reward = ConfigKeys.rewardOf(key);
    if (reward == null || set) {
      return true;
    }
    for (String weights : List.of("rewards", "eval_rewards")) {
      if (resolved.get(weights) instanceof Map<?, ?> m && m.containsKey(reward)) {
        return true;
      }
    }
    return false;
  }
}
