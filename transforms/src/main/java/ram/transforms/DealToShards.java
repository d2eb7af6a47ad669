package ram.transforms;

import java.util.ArrayList;
import java.util.List;

import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

import ram.model.Noise;

/**
 * Deals the epoch's items once to (optimizer step, shard) groups, keyed {@code step * shards +
 * shard} (shuffled under the {@link GroupKeys} key of that group, which spreads the groups over the
 * workers). The shard is a fixed function of the sample id; a placeholder per group makes every
 * group exist, so every step has a shard 0 even if all its items failed scoring.
 */
public final class DealToShards
    extends PTransform<PCollection<TrainingItem>, PCollection<KV<Integer, Iterable<TrainingItem>>>> {

  private final int steps;
  private final int shards;
  private final GroupKeys keys;

  /** @param keys the shuffle's key of each group, so that a runner can spread the groups over its workers */
  public DealToShards(int steps, int shards, GroupKeys keys) {
    this.steps = steps;
    this.shards = shards;
    this.keys = keys;
  }

  /** The shard an item belongs to. */
  public static int shardOf(String sampleId, int shards) {
    return (int) Math.floorMod(Noise.seed(sampleId), (long) shards);
  }

  @Override
  public PCollection<KV<Integer, Iterable<TrainingItem>>> expand(PCollection<TrainingItem> items) {
    int n = shards;
    KvCoder<Integer, TrainingItem> coder = KvCoder.of(VarIntCoder.of(), SerializableCoder.of(TrainingItem.class));
    List<KV<Integer, TrainingItem>> placeholders = new ArrayList<>();
    for (int group = 0; group < steps * shards; group++) {
      placeholders.add(KV.of(group, TrainingItem.placeholder(group / shards)));
    }
    PCollection<KV<Integer, TrainingItem>> keyed = items
        .apply("Key", WithKeys.of((TrainingItem i) -> i.step * n + shardOf(i.sampleId, n)).withKeyType(TypeDescriptors.integers()))
        .setCoder(coder);
    PCollection<KV<Integer, TrainingItem>> markers = items.getPipeline().apply("Placeholders", Create.of(placeholders).withCoder(coder));
    return PCollectionList.of(keyed).and(markers).apply("WithPlaceholders", Flatten.pCollections())
        .apply("Group", new GroupOnWorkers<>(keys, steps * shards));
  }
}
