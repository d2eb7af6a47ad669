package ram.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the resident memory that each epoch's progress line and metrics report. */
class ProcessMemoryTest {

  @Test
  void readsKilobyteFieldsOfAStatusFile(@TempDir Path dir) throws Exception {
    Path status = dir.resolve("status");
    Files.writeString(status, "Name:\tjava\nVmPeak:\t 16398888 kB\nVmHWM:\t  9117000 kB\nVmRSS:\t  8543736 kB\n");
    assertEquals(9117000L, ProcessMemory.statusKilobytes(status, "VmHWM").getAsLong());
    assertEquals(8543736L, ProcessMemory.statusKilobytes(status, "VmRSS").getAsLong());
    assertTrue(ProcessMemory.statusKilobytes(status, "VmSwap").isEmpty());
    assertTrue(ProcessMemory.statusKilobytes(dir.resolve("absent"), "VmHWM").isEmpty());
  }

  @Test
  void peakOfThisProcessLiesBetweenItsResidentAndItsVirtualSize() {
    Path self = Path.of("/proc/self/status");
    if (!Files.isReadable(self)) {
      return; // not Linux: the figure is absent by design
    }
    double peak = ProcessMemory.peakResidentMegabytes().orElseThrow();
    double resident = ProcessMemory.statusKilobytes(self, "VmRSS").getAsLong() / 1024.0;
    double virtualPeak = ProcessMemory.statusKilobytes(self, "VmPeak").getAsLong() / 1024.0;
    assertTrue(peak >= resident - 1 && peak <= virtualPeak && peak > 10,
        "peak " + peak + " MB, resident " + resident + " MB, virtual peak " + virtualPeak + " MB");
  }
}
