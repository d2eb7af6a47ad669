package ram.model;

/**
 * Hands memory that libtorch has freed back to the operating system. glibc keeps freed blocks in
 * its arenas, so after a gradient pass a process stays at the pass's peak, and every thread arena
 * that ran one keeps its own copy. With {@code -Dram.release_native_memory=true} the RAM and
 * Flow-GRPO gradients call {@link #releaseFreed()} once a shard's passes are done. Off by default:
 * with one malloc arena and passes of 32 rows the next pass reuses the freed blocks, and returning
 * them made epochs a third slower for the same peak (README, "The image tasks"). A no-op where glibc's
 * {@code malloc_trim} is absent (macOS, musl).
 */
public final class NativeMemory {

  /** The system property that turns the release after each gradient shard on. */
  public static final String RELEASE_AFTER_GRADIENT = "ram.release_native_memory";

  private static final com.sun.jna.Function MALLOC_TRIM = lookup();
  private static final boolean AFTER_GRADIENT = Boolean.getBoolean(RELEASE_AFTER_GRADIENT);

  private NativeMemory() {}

  /** Returns freed heap memory to the system; true if the C library did so. */
  public static boolean releaseFreed() {
    return MALLOC_TRIM != null && MALLOC_TRIM.invokeInt(new Object[] {0}) == 1;
  }

  /** Returns freed memory after a gradient shard when {@link #RELEASE_AFTER_GRADIENT} is true. */
  public static void releaseAfterGradient() {
    if (AFTER_GRADIENT) {
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
