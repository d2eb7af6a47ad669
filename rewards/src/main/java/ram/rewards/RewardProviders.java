package ram.rewards;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The rewards that {@link java.util.ServiceLoader} finds through one class loader: every
 * {@link RewardProvider} listed in a {@code META-INF/services/ram.rewards.RewardProvider} file it
 * sees, built-in or a user's jar alike. A provider that cannot be loaded, two providers of one
 * name, or a setting key outside its reward's prefix make the set unusable: every lookup then
 * fails in one line naming the provider, rather than a config silently getting another reward.
 */
public final class RewardProviders {

  private final Map<String, RewardProvider> providers;
  /** each provider's settings, read once when it was found */
  private final Map<String, List<RewardSetting>> settings;
  private final List<String> problems;

  private RewardProviders(Map<String, RewardProvider> providers, Map<String, List<RewardSetting>> settings, List<String> problems) {
    this.providers = providers;
    this.settings = settings;
    this.problems = problems;
  }

  /** The providers {@code loader} sees. */
  public static RewardProviders discover(ClassLoader loader) {
    Map<String, RewardProvider> found = new TreeMap<>();
    Map<String, List<RewardSetting>> settings = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    Map<String, String> keyOwners = new LinkedHashMap<>();
    Iterator<RewardProvider> it = ServiceLoader.load(RewardProvider.class, loader).iterator();
    while (true) {
      RewardProvider p;
      try {
        if (!it.hasNext()) {
          break;
        }
        p = it.next();
      } catch (ServiceConfigurationError e) {
        problems.add("a reward provider could not be loaded: " + e.getMessage());
        continue;
      }
      String origin = p.getClass().getName();
      String name;
      List<RewardSetting> declared;
      try {
        name = p.name();
        declared = List.copyOf(p.settings());
      } catch (RuntimeException e) {
        problems.add("reward provider " + origin + " fails to describe itself: " + e);
        continue;
      }
      if (name == null || !name.matches("[a-z][a-z0-9_]*")) {
        problems.add("reward provider " + origin + " has the name '" + name + "'; expected lower case, digits and underscores");
        continue;
      }
      RewardProvider earlier = found.putIfAbsent(name, p);
      if (earlier != null) {
        problems.add("reward '" + name + "' is provided twice, by " + earlier.getClass().getName() + " and " + origin
            + "; remove one jar from the class path");
        continue;
      }
      settings.put(name, declared);
      for (RewardSetting s : declared) {
        if (!s.key().startsWith(name + "_")) {
          problems.add("reward '" + name + "' (" + origin + ") declares the setting '" + s.key() + "'; its keys must start with '"
              + name + "_'");
        } else if (keyOwners.putIfAbsent(s.key(), name) != null) {
          problems.add("reward setting '" + s.key() + "' is declared by both '" + keyOwners.get(s.key()) + "' and '" + name + "'");
        }
      }
    }
    return new RewardProviders(Collections.unmodifiableMap(found), Collections.unmodifiableMap(settings), List.copyOf(problems));
  }

  private void requireUsable() {
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** The names of all rewards, sorted. */
  public Set<String> names() {
    requireUsable();
    return providers.keySet();
  }

  /** The provider of {@code name}, or an error that lists the known names. */
  public RewardProvider provider(String name) {
    requireUsable();
    RewardProvider p = providers.get(name);
    if (p == null) {
      throw new IllegalArgumentException(unknown(name));
    }
    return p;
  }

  /**
   * A new instance of the reward {@code name} on {@code values} (its own settings' defaults fill
   * what they lack); a provider's refusal comes back as one line naming the reward.
   */
  public Reward create(String name, RewardSettings values) {
    RewardProvider p = provider(name);
    try {
      return p.create(values.withDefaults(settings.get(name)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("reward '" + name + "': " + e.getMessage(), e);
    }
  }

  /** Every reward's settings, by reward name (sorted), whatever problems the set has. */
  public Map<String, List<RewardSetting>> settings() {
    return settings;
  }

  /** The error for a name no reward has, listing the known names. */
  public String unknown(String name) {
    return "unknown reward '" + name + "'; known rewards: " + String.join(", ", providers.keySet())
        + " (a reward of your own: docs/your-reward.md)";
  }
}
