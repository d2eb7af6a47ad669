package ram.transforms;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.values.KV;

/**
 * The epoch-level statistics of the training reward: mean, std over all P*G values (the
 * advantage's denominator), the share of prompt groups whose rewards are all equal, and the number
 * of scoring errors. Computed from the values sorted by sample id, so the result does not depend
 * on how a runner splits and merges the combine.
 */
public final class RewardStats implements Serializable {

  private static final long serialVersionUID = 1L;

  public final long count;
  public final long errors;
  public final double mean;
  public final double std;
  public final double fractionGroupsAllEqual;

  RewardStats(long count, long errors, double mean, double std, double fractionGroupsAllEqual) {
    this.count = count;
    this.errors = errors;
    this.mean = mean;
    this.std = std;
    this.fractionGroupsAllEqual = fractionGroupsAllEqual;
  }

  /** One training reward, keyed by sample id; NaN value marks a scoring error. */
  public static final class Entry implements Serializable {
    private static final long serialVersionUID = 1L;
    final String promptId;
    final double value;

    public Entry(String promptId, double value) {
      this.promptId = promptId;
      this.value = value;
    }
  }

  /** Population statistics of sorted entries. */
  static RewardStats of(TreeMap<String, Entry> entries) {
    long n = 0;
    long errors = 0;
    double sum = 0;
    Map<String, List<Double>> groups = new HashMap<>();
    for (Entry e : entries.values()) {
      if (Double.isNaN(e.value)) {
        errors++;
        continue;
      }
      n++;
      sum += e.value;
      groups.computeIfAbsent(e.promptId, k -> new ArrayList<>()).add(e.value);
    }
    double mean = n == 0 ? 0 : sum / n;
    double sq = 0;
    for (Entry e : entries.values()) {
      if (!Double.isNaN(e.value)) {
        sq += (e.value - mean) * (e.value - mean);
      }
    }
    long allEqual = groups.values().stream()
        .filter(g -> g.stream().mapToDouble(Double::doubleValue).max().getAsDouble()
            == g.stream().mapToDouble(Double::doubleValue).min().getAsDouble())
        .count();
    return new RewardStats(n, errors, mean, n == 0 ? 0 : Math.sqrt(sq / n),
        groups.isEmpty() ? 0 : (double) allEqual / groups.size());
  }

  /** Collects every entry, then computes the statistics in sample-id order. */
  public static final class Fn extends Combine.CombineFn<KV<String, Entry>, TreeMap<String, Entry>, RewardStats> {
    private static final long serialVersionUID = 1L;

    @Override
    public TreeMap<String, Entry> createAccumulator() {
      return new TreeMap<>();
    }

    @Override
    public TreeMap<String, Entry> addInput(TreeMap<String, Entry> acc, KV<String, Entry> input) {
      acc.put(input.getKey(), input.getValue());
      return acc;
    }

    @Override
    public TreeMap<String, Entry> mergeAccumulators(Iterable<TreeMap<String, Entry>> accs) {
      TreeMap<String, Entry> merged = new TreeMap<>();
      accs.forEach(merged::putAll);
      return merged;
    }

    @Override
    public RewardStats extractOutput(TreeMap<String, Entry> acc) {
      return of(acc);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override
    public Coder<TreeMap<String, Entry>> getAccumulatorCoder(CoderRegistry registry, Coder<KV<String, Entry>> input) {
      return (Coder) SerializableCoder.of(TreeMap.class);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override
    public Coder<RewardStats> getDefaultOutputCoder(CoderRegistry registry, Coder<KV<String, Entry>> input) {
      return SerializableCoder.of(RewardStats.class);
    }
  }
}
