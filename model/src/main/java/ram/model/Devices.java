package ram.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * Where the networks compute: the config key {@code device} ({@code auto}, {@code cpu} or
 * {@code gpu}), passed to every process as the system property {@value #PROPERTY}. {@code auto}
 * takes the first GPU that PyTorch sees, else the CPU; {@code gpu} without one is an error that
 * says how to get a CUDA build. Parameters live on the Java heap either way; each forward or
 * backward pass copies them to the device.
 */
public final class Devices {

  /** The system property holding the choice. */
  public static final String PROPERTY = "ram.device";

  private Devices() {}

  /** The device of the current choice (default {@code auto}). */
  public static Device current() {
    return select(System.getProperty(PROPERTY, "auto"));
  }

  /**
   * A fresh manager on the current device for one computation on the calling thread, which computes
   * with the process's libtorch thread count ({@link EngineThreads}).
   */
  public static NDManager newManager() {
    EngineThreads.onThisThread();
    return NDManager.newBaseManager(current());
  }

  /** The device for {@code choice}. */
  public static Device select(String choice) {
    int gpus = Engine.getInstance().getGpuCount();
    return switch (choice) {
      case "cpu" -> Device.cpu();
      case "auto" -> gpus > 0 ? Device.gpu() : Device.cpu();
      case "gpu" -> {
        if (gpus == 0) {
          throw new IllegalArgumentException("device: gpu, but PyTorch sees no GPU; this build uses the CPU libtorch "
              + "(pytorch-native-cpu). On a CUDA 12.4 machine build with: mvn -Pgpu -DskipTests install (README, GPU build)");
        }
        yield Device.gpu();
      }
      default -> throw new IllegalArgumentException("device: expected auto, cpu or gpu, got '" + choice + "'");
    };
  }
}
