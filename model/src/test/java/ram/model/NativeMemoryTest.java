package ram.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Freed native memory that glibc would keep (small blocks below one still in use, as a gradient
 * pass's activations leave them) goes back to the system when asked.
 */
class NativeMemoryTest {

  private static final int BLOCKS = 300_000;
  private static final int BLOCK_BYTES = 1000;

  @Test
  void returnsFreedBlocksThatTheAllocatorWouldKeep() {
    assumeTrue(ProcessMemory.residentKilobytes().isPresent() && NativeMemory.available(), "needs Linux with glibc");
    long[] blocks = new long[BLOCKS];
    for (int i = 0; i < BLOCKS; i++) {
      blocks[i] = Native.malloc(BLOCK_BYTES);
      new Pointer(blocks[i]).setMemory(0, BLOCK_BYTES, (byte) 1); // resident, not just reserved
    }
    long held = ProcessMemory.residentKilobytes().getAsLong();
    for (int i = 0; i < BLOCKS - 1; i++) { // the last block pins the arena's top: nothing is trimmed on free
      Native.free(blocks[i]);
    }
    long afterFree = ProcessMemory.residentKilobytes().getAsLong();
    assertTrue(NativeMemory.releaseFreed(), "malloc_trim returned nothing");
    long afterRelease = ProcessMemory.residentKilobytes().getAsLong();
    Native.free(blocks[BLOCKS - 1]);
    long freedMb = (afterFree - afterRelease) / 1024;
    assertTrue(afterFree > held - 100 * 1024, "glibc already returned the blocks on free: " + held + " -> " + afterFree + " kB");
    assertTrue(freedMb > 150, "released only " + freedMb + " MB of about 300 (resident " + afterFree + " -> " + afterRelease + " kB)");
  }
}
