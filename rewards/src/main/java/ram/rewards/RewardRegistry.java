package ram.rewards;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates rewards by the names that configs use: the rewards found on ram's class path
 * ({@link RewardProviders}, discovered once through this class's loader), the built-ins
 * ({@code META-INF/services/ram.rewards.RewardProvider} of this module) and any user's jar that
 * lists a provider the same way.
 */
public final class RewardRegistry {

  private static final RewardProviders INSTALLED = RewardProviders.discover(RewardRegistry.class.getClassLoader());

  private RewardRegistry() {}

  /** The rewards on the class path. */
  public static RewardProviders installed() {
    return INSTALLED;
  }

  /** The names of all known rewards, sorted. */
  public static Set<String> names() {
    return INSTALLED.names();
  }

  /** Creates the named reward on its settings' defaults, or throws an error that lists the known names. */
  public static Reward create(String name) {
    return INSTALLED.create(name, RewardSettings.NONE);
  }

  /** Creates the named reward on {@code settings}; an unknown name or unusable settings is one line naming it. */
  public static Reward create(String name, RewardSettings settings) {
    return INSTALLED.create(name, settings);
  }

  /** Every reward's settings, by reward name: the config keys the rewards add to a run's config. */
  public static Map<String, List<RewardSetting>> settings() {
    return INSTALLED.settings();
  }

  /** The error for a name no reward has, listing the known names: what every caller that checks names says. */
  public static String unknown(String name) {
    return INSTALLED.unknown(name);
  }
}
