package ram.runners;

import java.nio.ByteBuffer;

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
final class FlinkGroupKeys implements GroupKeys {

  private static final long serialVersionUID = 1L;
  private final int[] keys;

  private FlinkGroupKeys(int[] keys) {
    this.keys = keys;
  }

  /** Keys for {@code groups} groups on {@code parallelism} workers: the smallest unused key of the right worker each. */
  static FlinkGroupKeys spread(int parallelism, int groups) {
    int[] keys = new int[groups];
    int[] next = new int[parallelism];
    for (int group = 0; group < groups; group++) {
      int target = group % parallelism;
      int key = next[target];
      while (worker(key, parallelism) != target) {
        key++;
      }
      keys[group] = key;
      next[target] = key + 1;
    }
    return new FlinkGroupKeys(keys);
  }

  /** The worker that Flink places integer key {@code key} on, with one key group per worker. */
  static int worker(int key, int parallelism) {
    try {
      FlinkKey flinkKey = FlinkKey.of(ByteBuffer.wrap(CoderUtils.encodeToByteArray(VarIntCoder.of(), key)));
      return KeyGroupRangeAssignment.assignKeyToParallelOperator(flinkKey, parallelism, parallelism);
    } catch (CoderException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int keyOf(int group) {
    return keys[group];
  }
}
