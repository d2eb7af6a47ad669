package ram.runners.bench;

import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;
import ram.runners.train.TrainDriver;
import ram.config.RunConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ram bench <config>}: a few real epochs of the config on embedded Flink and on the
 * DirectRunner, with the epoch's wall time split into the time spent inside model and reward code
 * per stage (Beam counters) and the rest, the pipeline overhead. The first epoch (class loading,
 * cluster start) is reported apart.
 */
public final class EpochBench {

  static final int EPOCHS = 4;

  private EpochBench() {}

  /** The driver's per-epoch measurements averaged over epochs 2..{@code epochs} (the first pays warm-up). */
  static Map<String, Double> laterEpochsMean(RunMetrics metrics, int epochs) {
    Map<String, Double> later = new TreeMap<>();
    for (int e = 2; e <= epochs; e++) {
      metrics.readDriver(e).forEach((k, v) -> later.merge(k, v / (epochs - 1), Double::sum));
    }
    return later;
  }

  public static void run(RunConfig config, Path home, PrintStream out) {
    for (String runner : List.of("flink", "direct")) {
      Path dir;
      try {
        dir = Files.createTempDirectory("ram-bench-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      RunConfig c = config.with("runner", runner).with("epochs", EPOCHS).with("eval_samples", 0)
          .with("output_dir", dir.toString());
      TrainDriver driver = new TrainDriver(c, dir, home, new PrintStream(new ByteArrayOutputStream()));
      driver.train();
      RunMetrics metrics = new RunMetrics(driver.runDirectory());
      Map<String, Double> later = laterEpochsMean(metrics, EPOCHS);
      double first = metrics.readDriver(1).get("pipeline_seconds");
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
          "BENCH epoch config=%s runner=%s first_epoch_seconds=%.2f epoch_seconds=%.2f", config.name(), runner, first,
          later.get("pipeline_seconds")));
      later.forEach((k, v) -> {
        if (k.startsWith("stage_") || k.equals("compute_seconds")) {
          line.append(String.format(Locale.ROOT, " %s=%.3f", k, v));
        }
      });
      line.append(String.format(Locale.ROOT, " overhead_share=%.3f", later.get("overhead_share")));
      out.println(line);
      RunDirectory.deleteTree(dir);
    }
  }
}
