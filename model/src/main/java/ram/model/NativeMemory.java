package ram.model;

/**
 * Hands memory that libtorch has freed back to the operating system. glibc keeps freed blocks in
 * its arenas, so after a gradient pass a process stays at the pass's peak, and every thread arena
 * that ran one keeps its own copy. The RAM and Flow-GRPO gradients call {@link #releaseFreed()}
 * once a shard's passes are done (not after every pass: the next pass of the same shard reuses
 * the blocks, and returning them each time cost a third more gradient time). A no-op where glibc's
 * {@code malloc_trim} is absent (macOS, musl).
 */
public final class NativeMemory {

  private static final com.sun.jna.Function MALLOC_TRIM = lookup();

  private NativeMemory() {}

  /** Returns freed heap memory to the system; true if the C library did so. */
  public static boolean releaseFreed() {
    return MALLOC_TRIM != null && MALLOC_TRIM.invokeInt(new Object[] {0}) == 1;
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
