package ram.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * This process's resident memory as the kernel counts it (Java heap, libtorch's tensors and every
 * other native allocation together), so that each epoch's progress line and metrics show what a
 * run really holds. Linux only ({@code /proc/self/status}); elsewhere it is absent.
 */
public final class ProcessMemory {

  private ProcessMemory() {}

  /** The current resident set of this process (VmRSS), in kB. */
  public static OptionalLong residentKilobytes() {
    return statusKilobytes(Path.of("/proc/self/status"), "VmRSS");
  }

  /** The peak resident set of this process so far (VmHWM), in MB. */
  public static OptionalDouble peakResidentMegabytes() {
    return statusKilobytes(Path.of("/proc/self/status"), "VmHWM").stream().mapToDouble(kb -> kb / 1024.0).findFirst();
  }

  /** A {@code kB} field of a {@code /proc/<pid>/status} file, if the file and the field exist. */
  public static OptionalLong statusKilobytes(Path status, String field) {
    if (!Files.isReadable(status)) {
      return OptionalLong.empty();
    }
    try {
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith(field + ":")) {
          return OptionalLong.of(Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }
}
