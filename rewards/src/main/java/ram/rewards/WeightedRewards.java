package ram.rewards;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Several named rewards combined with weights into one value per sample:
 * {@code sum_k weight_k * reward_k}. A run's config lists its rewards as a spec such as
 * {@code geneval:1.0,compressibility:0.05}.
 *
 * <p>If any component fails a sample, the combined result for that sample is an error naming the
 * component and its message. Name and version spell out the components, so stored records say
 * exactly which rule produced them.
 */
public final class WeightedRewards implements Reward {

  private final Map<Reward, Double> components;

  /** Combines the given rewards (iteration order is kept) with their weights. */
  public WeightedRewards(Map<Reward, Double> components) {
    if (components.isEmpty()) {
      throw new IllegalArgumentException("a weighted reward needs at least one component");
    }
    components.forEach((reward, weight) -> {
      if (weight == null || !Double.isFinite(weight)) {
        throw new IllegalArgumentException("weight of reward '" + reward.name() + "' must be finite, got " + weight);
      }
    });
    this.components = new LinkedHashMap<>(components);
  }

  /**
   * Builds the combination a spec describes: comma-separated {@code name:weight} entries (weight
   * defaults to 1), each name known to {@link RewardRegistry}.
   *
   * @throws IllegalArgumentException naming the bad entry
   */
  public static WeightedRewards parse(String spec) {
    Map<Reward, Double> components = new LinkedHashMap<>();
    for (String entry : spec.split(",")) {
      String trimmed = entry.trim();
      if (trimmed.isEmpty()) {
        throw new IllegalArgumentException("empty entry in reward spec '" + spec + "'");
      }
      int colon = trimmed.indexOf(':');
      String name = colon < 0 ? trimmed : trimmed.substring(0, colon).trim();
      double weight;
      try {
        weight = colon < 0 ? 1.0 : Double.parseDouble(trimmed.substring(colon + 1).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad weight in reward spec entry '" + trimmed + "'", e);
      }
      components.put(RewardRegistry.create(name), weight);
    }
    return new WeightedRewards(components);
  }

  @Override
  public String name() {
    List<String> parts = new ArrayList<>();
    components.forEach((reward, weight) -> parts.add(reward.name() + ":" + weight));
    return String.join(",", parts);
  }

  @Override
  public String version() {
    List<String> parts = new ArrayList<>();
    components.keySet().forEach(reward -> parts.add(reward.name() + "@" + reward.version()));
    return String.join(",", parts);
  }

  @Override
  public List<RewardResult> score(List<RewardInput> batch) {
    Map<String, Double> weights = new LinkedHashMap<>();
    Map<String, List<RewardResult>> results = new LinkedHashMap<>();
    components.forEach((reward, weight) -> {
      weights.put(reward.name(), weight);
      results.put(reward.name(), reward.score(batch));
    });
    return combine(weights, results, batch.size());
  }

  /**
   * The weighted sum of per-component results, sample by sample; a sample that any component
   * failed becomes an error naming every failure.
   *
   * @param weights weight per component name
   * @param results per component name, one result per sample
   */
  public static List<RewardResult> combine(Map<String, Double> weights, Map<String, List<RewardResult>> results, int size) {
    double[] sums = new double[size];
    String[] errors = new String[size];
    for (Map.Entry<String, List<RewardResult>> component : results.entrySet()) {
      if (component.getValue().size() != size) {
        throw new IllegalStateException("reward '" + component.getKey() + "' returned " + component.getValue().size()
            + " results for " + size + " samples");
      }
      for (int i = 0; i < size; i++) {
        RewardResult r = component.getValue().get(i);
        if (!r.ok()) {
          String e = component.getKey() + ": " + r.error();
          errors[i] = errors[i] == null ? e : errors[i] + "; " + e;
        } else {
          sums[i] += weights.get(component.getKey()) * r.value();
        }
      }
    }
    List<RewardResult> combined = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      combined.add(errors[i] != null ? RewardResult.failed(errors[i]) : RewardResult.of(sums[i]));
    }
    return combined;
  }

  @Override
  public void close() {
    components.keySet().forEach(Reward::close);
  }
}
