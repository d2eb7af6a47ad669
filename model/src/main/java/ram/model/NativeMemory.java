package ram.model;

/**
 * Hands memory that libtorch has freed back to the operating system. glibc keeps freed blocks in
 * its arenas, so after a gradient pass a process stays at the pass's peak, and every thread arena
 * that ran one keeps its own copy. With {@code -Dram.release_native_memory=true} the RAM and
 * Flow-GRPO gradients call {@link #releaseFreed()} once a shard's passes are done. It is off by
 * default: with one malloc arena (the launcher's) and passes of 32 rows the next pass reuses the
 * freed blocks, and on stop 23's machine returning them made a geneval epoch 46% slower (46.4 s
 * against 31.7 s) for the same peak memory (3.7 against 3.6 GB). A no-op where glibc's
 * {@code malloc_trim} is absent (macOS, musl).
 */
public final class NativeMemory {

  private static final com.sun.jna.Function MALLOC_TRIM = lookup();

  private NativeMemory() {}

  /** Returns freed heap memory to the system; true if the C library did so. */
  public static boolean releaseFreed() {
    return MALLOC_TRIM != null && MALLOC_TRIM.invokeInt(new Object[] {0}) == 1;
  }

  /** Returns freed memory after a gradient shard when {@code ram.release_native_memory} is true. */
  public static void releaseAfterGradient() {
    if (Boolean.getBoolean("ram.release_native_memory")) {
      releaseFreed();
    }
  }

  /** Whether this process can return freed memory at all (glibc). */
  public static boolean available() {
    return MALLOC_TRIM != null;
  }

  private static com.sun.jna.Function lookup() {
    try {
      return com.sun.jna.NativeLibrary.getInstance("c").getFunction("malloc_trim");
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      return null;
    }
  }
}
