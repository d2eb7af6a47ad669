package ram.transforms.algorithm.flowgrpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.transforms.StoreFiles;

/** Flow-GRPO's rollout files round-trip, and a file that is not one is refused by name. */
class RolloutFileTest {

  @TempDir Path tmp;

  @Test
  void rolloutFilesRoundTripAndAForeignFileIsRefused() {
    float[][] states = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
    float[] logProbs = {-0.5f, -1.25f};
    String scratch = tmp.toString();
    StoreFiles.writeAtomically(RolloutFile.location(scratch, "e1-p0-g0"), new RolloutFile(states, logProbs).toBytes());
    RolloutFile back = RolloutFile.read(scratch, "e1-p0-g0");
    assertArrayEquals(logProbs, back.logProbs());
    for (int k = 0; k < states.length; k++) {
      assertArrayEquals(states[k], back.states()[k]);
    }
    StoreFiles.writeAtomically(RolloutFile.location(scratch, "bad"), new byte[] {2, 0, 0, 0, 3, 0, 0, 0, 1});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RolloutFile.read(scratch, "bad"));
    assertTrue(e.getMessage().contains("bad.bin") && e.getMessage().contains("not a rollout file"), e.getMessage());
  }
}
