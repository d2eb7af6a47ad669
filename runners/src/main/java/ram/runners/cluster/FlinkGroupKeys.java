package ram.runners.cluster;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.beam.runners.flink.adapter.FlinkKey;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

import ram.transforms.GroupKeys;

/**
 * Shuffle keys that put the {@code i}-th group on Flink worker {@code i mod parallelism}. Flink
 * sends a key to the worker of its hash's key group: a batch job's shuffle keys an integer by its
 * Beam encoding, and with as many key groups as workers ({@link Runners} sets the job's maximum
 * parallelism so) the key group is the worker. Keys 0 and 1 both hash to the first of two workers,
 * which ran the two gradient shards of every epoch one after the other.
 */
public final class FlinkGroupKeys implements GroupKeys {

  private static final long serialVersionUID = 1L;
  private final int parallelism;
  /** Keys of the groups derived so far; a group's key depends only on the groups before it. */
  private final List<Integer> keys = new ArrayList<>();

  private FlinkGroupKeys(int parallelism) {
    this.parallelism = parallelism;
  }

  /** Keys for groups on {@code parallelism} workers: each the smallest unused key of its group's worker. */
  public static FlinkGroupKeys spread(int parallelism) {
    return new FlinkGroupKeys(parallelism);
  }

  /** The worker that Flink places integer key {@code key} on, with one key group per worker. */
  public static int worker(int key, int parallelism) {
    try {
      FlinkKey flinkKey = FlinkKey.of(ByteBuffer.wrap(CoderUtils.encodeToByteArray(VarIntCoder.of(), key)));
      return KeyGroupRangeAssignment.assignKeyToParallelOperator(flinkKey, parallelism, parallelism);
    } catch (CoderException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public synchronized int keyOf(int group) {
    while (keys.size() <= group) {
      int target = keys.size() % parallelism;
      int key = keys.size() < parallelism ? 0 : keys.get(keys.size() - parallelism) + 1;
      while (worker(key, parallelism) != target) {
        key++;
      }
      keys.add(key);
    }
    return keys.get(group);
  }
}
