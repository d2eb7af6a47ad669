package ram.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * How many threads libtorch gives each operation (intra-op) in this process. DJL reads its
 * {@code ai.djl.pytorch.num_threads} property once, when the engine starts, and the engine starts
 * as soon as anything asks for a device: a property set after that was silently ignored, so the
 * workers of an embedded Flink cluster at parallelism 2 ran two threads each on two cores. And
 * libtorch fixes a thread's count when that thread first computes, so a pooled thread reused by a
 * later job kept the count of an earlier one. {@link #set} sets the process's count;
 * {@link #onThisThread}, which every computation calls through {@link Devices#newManager}, applies
 * it to the calling thread. The count decides float rounding, so it is part of what makes a run
 * reproducible.
 */
public final class EngineThreads {

  private static final String THREADS = "ai.djl.pytorch.num_threads";
  private static final String INTEROP_THREADS = "ai.djl.pytorch.num_interop_threads";

  private EngineThreads() {}

  /** Intra-op threads for computations started from now on; one inter-op thread when the engine starts. */
  public static void set(int threads) {
    System.setProperty(THREADS, Integer.toString(threads));
    System.setProperty(INTEROP_THREADS, "1");
    Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(threads);
  }

  /** Makes the calling thread compute with the process's count, if one was set. */
  public static void onThisThread() {
    Integer threads = Integer.getInteger(THREADS);
    if (threads == null || threads <= 0) {
      return;
    }
    Engine.getEngine("PyTorch"); // loads libtorch where nothing has yet (a TaskManager's first computation)
    if (JniUtils.getNumThreads() != threads) {
      JniUtils.setNumThreads(threads);
    }
  }

  /** The intra-op threads that the calling thread's operations use. */
  public static int current() {
    Engine.getEngine("PyTorch");
    return JniUtils.getNumThreads();
  }
}
