package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import ram.runners.cluster.FlinkGroupKeys;

class FlinkGroupKeysTest {

  @Test
  void theFirstTwoIntegersShareAWorkerOfTwo() {
    // why the keys exist: the gradient shards keyed 0 and 1 ran on one of two workers, in turn
    assertEquals(FlinkGroupKeys.worker(0, 2), FlinkGroupKeys.worker(1, 2));
  }

  @Test
  void groupIGoesToWorkerIModParallelismUnderDistinctKeys() {
    for (int parallelism = 1; parallelism <= 4; parallelism++) {
      FlinkGroupKeys keys = FlinkGroupKeys.spread(parallelism);
      Set<Integer> seen = new HashSet<>();
      for (int group = 0; group < 8; group++) {
        int key = keys.keyOf(group);
        assertEquals(group % parallelism, FlinkGroupKeys.worker(key, parallelism), "group " + group + " of parallelism " + parallelism);
        assertEquals(true, seen.add(key), "key " + key + " given twice");
      }
    }
  }
}
