package ram.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * How many threads libtorch gives each operation (intra-op) in this process. DJL reads its
 * {@code ai.djl.pytorch.num_threads} property once, when the engine starts, and the engine starts
 * as soon as anything asks for a device: a property set after that was silently ignored, so the
 * workers of an embedded Flink cluster at parallelism 2 ran two threads each on two cores. This
 * sets the property and the running engine's count; threads that begin computing afterwards (a new
 * job's workers) use it.
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

  /** The intra-op threads that the calling thread's operations use. */
  public static int current() {
    Engine.getEngine("PyTorch");
    return JniUtils.getNumThreads();
  }
}
