package ram.rewards;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Creates rewards by the names that configs use. One place lists every reward the project has. */
public final class RewardRegistry {

  private static final Map<String, Supplier<Reward>> FACTORIES = new TreeMap<>();

  static {
    FACTORIES.put(ToyRingReward.NAME, ToyRingReward::new);
    FACTORIES.put(ram.rewards.geneval.GenEvalReward.NAME, ram.rewards.geneval.GenEvalReward::new);
    FACTORIES.put(ram.rewards.geneval.GenEvalReward.STRICT_NAME, () -> new ram.rewards.geneval.GenEvalReward(true));
    FACTORIES.put(ram.rewards.ocr.OcrReward.NAME, ram.rewards.ocr.OcrReward::new);
    FACTORIES.put(CompressibilityReward.NAME, CompressibilityReward::new);
  }

  private RewardRegistry() {}

  /** The names of all known rewards, sorted. */
  public static java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(FACTORIES.keySet());
  }

  /** Creates the named reward, or throws an error that lists the known names. */
  public static Reward create(String name) {
    Supplier<Reward> factory = FACTORIES.get(name);
    if (factory == null) {
      throw new IllegalArgumentException(unknown(name));
    }
    return factory.get();
  }

  /** The error for a name no reward has, listing the known names: what every caller that checks names says. */
  public static String unknown(String name) {
    return "unknown reward '" + name + "'; known rewards: " + String.join(", ", FACTORIES.keySet());
  }
}
