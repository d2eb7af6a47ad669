package ram.transforms;

/**
 * Named crash points for the fault-injection tests: with {@code -Dram.fault=<point>@<epoch>} (or
 * the environment variable {@code RAM_FAULT}), the process halts with exit code 137, exactly as
 * {@code kill -9} would end it, the first time it reaches that point in that epoch: no shutdown
 * hooks, no {@code finally} blocks, files left as they are. Unset (always, outside those tests),
 * every point is a no-op. With the suffix {@code :ioerror} ({@code checkpoint@2:ioerror}) the point
 * throws an I/O error instead, as a full disk or a lost mount would: the write fails part-way
 * and the process goes on to report it.
 *
 * <p>Points: {@code sample} (an epoch's first endpoints drawn), {@code reward} (first rewards
 * scored), {@code update} (an optimizer step's state written), {@code checkpoint} (between the
 * files of the epoch's checkpoint), {@code publish} (epoch directory renamed, {@code latest} not
 * yet updated), {@code latest} (new {@code latest} written to its temporary name, not yet renamed).
 * Outside training, with epoch 0 unless said: {@code evaluate-commit} / {@code export-commit}
 * (results staged, nothing published), {@code evaluate-publish@K} / {@code export-publish@K}
 * (the K-th name of the output swapped in), {@code rescore-commit} and {@code rescore-publish@K}
 * (K-th unit's new rewards in place), {@code pretrain-write} (the base checkpoint written to its
 * temporary name, not renamed).
 */
public final class FaultInjection {

  /** The exit code of a process ended by SIGKILL. */
  public static final int EXIT_CODE = 137;
  /** The points a fault can be injected at. */
  public static final java.util.List<String> POINTS = java.util.List.of("sample", "reward", "update", "checkpoint", "publish",
      "latest");

  private FaultInjection() {}

  /** Halts the process here if a fault is requested at {@code point} in {@code epoch}. */
  public static void reach(String point, int epoch) {
    String fault = System.getProperty("ram.fault", System.getenv("RAM_FAULT"));
    if (fault != null && fault.equals(point + "@" + epoch)) {
      System.err.println("fault injected: " + fault);
      System.err.flush();
      Runtime.getRuntime().halt(EXIT_CODE);
    }
    if (fault != null && fault.equals(point + "@" + epoch + ":ioerror")) {
      throw new java.io.UncheckedIOException(new java.io.IOException("injected write failure at " + point + "@" + epoch));
    }
  }
}
