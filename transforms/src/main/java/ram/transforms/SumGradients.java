package ram.transforms;

import java.util.TreeMap;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PCollection;

import ram.model.ParameterTraffic;
import ram.model.ParameterSet;

/**
 * The only point where shards meet: adds their gradients in shard order, so the sum is the same
 * however the runner groups the partial combines, and passes on the step's starting state.
 */
public final class SumGradients extends PTransform<PCollection<GradientShard>, PCollection<GradientShard>> {

  /** The stage label of its reads and writes ({@link ParameterTraffic}). */
  public static final String STAGE = "sum";

  private final String sumFile;

  /** @param sumFile where the summed gradient is stored */
  public SumGradients(String sumFile) {
    this.sumFile = sumFile;
  }

  @Override
  public PCollection<GradientShard> expand(PCollection<GradientShard> shards) {
    return shards.apply("SumInShardOrder", Combine.globally(new SumFn(sumFile)).withoutDefaults())
        .setCoder(SerializableCoder.of(GradientShard.class));
  }

  /** Keeps every shard until the end, then sums in ascending shard order. */
  static final class SumFn extends Combine.CombineFn<GradientShard, TreeMap<Integer, GradientShard>, GradientShard> {
    private static final long serialVersionUID = 1L;
    private final String sumFile;

    SumFn(String sumFile) {
      this.sumFile = sumFile;
    }

    @Override
    public TreeMap<Integer, GradientShard> createAccumulator() {
      return new TreeMap<>();
    }

    @Override
    public TreeMap<Integer, GradientShard> addInput(TreeMap<Integer, GradientShard> acc, GradientShard shard) {
      if (acc.put(shard.shard, shard) != null) {
        throw new IllegalStateException("shard " + shard.shard + " delivered twice");
      }
      return acc;
    }

    @Override
    public TreeMap<Integer, GradientShard> mergeAccumulators(Iterable<TreeMap<Integer, GradientShard>> accs) {
      TreeMap<Integer, GradientShard> merged = new TreeMap<>();
      for (TreeMap<Integer, GradientShard> a : accs) {
        a.values().forEach(s -> addInput(merged, s));
      }
      return merged;
    }

    @Override
    public GradientShard extractOutput(TreeMap<Integer, GradientShard> acc) {
      return ParameterTraffic.during(STAGE, () -> sum(acc));
    }

    private GradientShard sum(TreeMap<Integer, GradientShard> acc) {
      ParameterSet total = null;
      long items = 0;
      TreeMap<String, Double> sums = new TreeMap<>();
      String state = null;
      for (GradientShard s : acc.values()) {
        if (s.items > 0) {
          if (total == null) {
            total = s.gradientSum();
          } else {
            total.addInPlace(s.gradientSum());
          }
          items += s.items;
          s.sums.forEach((name, value) -> sums.merge(name, value, Double::sum));
        }
        if (s.state != null) {
          state = s.state;
        }
      }
      if (state == null) {
        throw new IllegalStateException("no shard carried the step's state");
      }
      return total == null ? GradientShard.empty(0, state) : GradientShard.of(0, total, items, sums, sumFile, state);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    @Override
    public Coder<TreeMap<Integer, GradientShard>> getAccumulatorCoder(CoderRegistry registry, Coder<GradientShard> input) {
      return (Coder) SerializableCoder.of(TreeMap.class);
    }
  }
}
