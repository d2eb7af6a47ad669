package ram.transforms;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * A GroupByKey over group indices {@code 0..groups-1} that shuffles under the {@link GroupKeys} key
 * of each group, so that group {@code i} and every stage chained behind it run on the worker that
 * key lands on. The output is keyed by group index again; no result depends on the keys.
 */
public final class GroupOnWorkers<V> extends PTransform<PCollection<KV<Integer, V>>, PCollection<KV<Integer, Iterable<V>>>> {

  private final GroupKeys keys;
  private final int groups;

  /** @param groups how many group indices the input uses */
  public GroupOnWorkers(GroupKeys keys, int groups) {
    this.keys = keys;
    this.groups = groups;
  }

  @Override
  public PCollection<KV<Integer, Iterable<V>>> expand(PCollection<KV<Integer, V>> input) {
    @SuppressWarnings("unchecked")
    Coder<V> valueCoder = ((KvCoder<Integer, V>) input.getCoder()).getValueCoder();
    GroupKeys k = keys;
    Map<Integer, Integer> groupOfKey = new HashMap<>();
    for (int group = 0; group < groups; group++) {
      groupOfKey.put(k.keyOf(group), group);
    }
    return input
        .apply("ToKeys", MapElements.via(new KeyFn<V>(k)))
        .setCoder(KvCoder.of(VarIntCoder.of(), valueCoder))
        .apply("Group", GroupByKey.create())
        .apply("ToGroups", MapElements.via(new GroupFn<V>(groupOfKey)))
        .setCoder(KvCoder.of(VarIntCoder.of(), IterableCoder.of(valueCoder)));
  }

  private static final class KeyFn<V> extends SimpleFunction<KV<Integer, V>, KV<Integer, V>> {
    private final GroupKeys keys;

    KeyFn(GroupKeys keys) {
      this.keys = keys;
    }

    @Override
    public KV<Integer, V> apply(KV<Integer, V> element) {
      return KV.of(keys.keyOf(element.getKey()), element.getValue());
    }
  }

  private static final class GroupFn<V> extends SimpleFunction<KV<Integer, Iterable<V>>, KV<Integer, Iterable<V>>> {
    private final Map<Integer, Integer> groupOfKey;

    GroupFn(Map<Integer, Integer> groupOfKey) {
      this.groupOfKey = groupOfKey;
    }

    @Override
    public KV<Integer, Iterable<V>> apply(KV<Integer, Iterable<V>> element) {
      return KV.of(groupOfKey.get(element.getKey()), element.getValue());
    }
  }

  /**
   * Keyed elements, one per group index, moved to their group's worker. Flink reads a small created
   * collection as a few splits that one worker may take all of: every prompt of an epoch then
   * sampled on one worker while the other waited.
   */
  public static <V> Spread<V> spread(GroupKeys keys, int groups) {
    return new Spread<>(new GroupOnWorkers<>(keys, groups));
  }

  /** See {@link #spread}. */
  public static final class Spread<V> extends PTransform<PCollection<KV<Integer, V>>, PCollection<KV<Integer, V>>> {
    private final GroupOnWorkers<V> grouping;

    private Spread(GroupOnWorkers<V> grouping) {
      this.grouping = grouping;
    }

    @Override
    public PCollection<KV<Integer, V>> expand(PCollection<KV<Integer, V>> input) {
      @SuppressWarnings("unchecked")
      KvCoder<Integer, V> coder = (KvCoder<Integer, V>) input.getCoder();
      return input.apply("GroupOnWorkers", grouping)
          .apply("Ungroup", FlatMapElements.via(new UngroupFn<V>()))
          .setCoder(coder);
    }
  }

  private static final class UngroupFn<V> extends SimpleFunction<KV<Integer, Iterable<V>>, Iterable<KV<Integer, V>>> {
    @Override
    public Iterable<KV<Integer, V>> apply(KV<Integer, Iterable<V>> element) {
      List<KV<Integer, V>> out = new ArrayList<>();
      element.getValue().forEach(v -> out.add(KV.of(element.getKey(), v)));
      return out;
    }
  }
}
