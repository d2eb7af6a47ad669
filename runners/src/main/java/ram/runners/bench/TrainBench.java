package ram.runners.bench;

import ram.runners.cluster.FlinkSessionCluster;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;
import ram.runners.cluster.Runners;
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

/**
 * {@code ram bench train [<config>]} (default geneval): a few real epochs of the config at
 * parallelism 1 and 2, on embedded Flink (the run's kept-alive mini-cluster) and on a local
 * session cluster of separate JVMs, each split into time inside model and reward code per stage
 * and the rest; plus the fixed cost of one pipeline on the same target, as a share of the epoch.
 * Epochs after the first are averaged (the first pays class loading and JIT warm-up).
 */
final class TrainBench {

  static final int EPOCHS = 3;

  private TrainBench() {}

  static void run(RunConfig config, Path home, PrintStream out) {
    Path scratch;
    try {
      scratch = Files.createTempDirectory("ram-bench-train-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    FlinkSessionCluster cluster = new FlinkSessionCluster(scratch.resolve("flink"));
    try {
      for (int parallelism : List.of(1, 2)) {
        measure(config, home, "embedded", "[local]", parallelism, scratch, out);
      }
      cluster.start(1, 2, 0, new PrintStream(new ByteArrayOutputStream()));
      for (int parallelism : List.of(1, 2)) {
        measure(config, home, "cluster", cluster.master(), parallelism, scratch, out);
      }
    } finally {
      cluster.stop(new PrintStream(new ByteArrayOutputStream()));
      RunDirectory.deleteTree(scratch);
    }
  }

  private static void measure(RunConfig config, Path home, String target, String master, int parallelism, Path scratch,
      PrintStream out) {
    Path dir = scratch.resolve(target + "-p" + parallelism);
    RunConfig c = config.with("runner", "flink").with("flink_master", master).with("parallelism", parallelism)
        .with("epochs", EPOCHS).with("eval_samples", 0).with("output_dir", dir.toString());
    Runners.configureEngineThreads(parallelism);
    TrainDriver driver = new TrainDriver(c, dir, home, new PrintStream(new ByteArrayOutputStream()));
    driver.train();
    Map<String, Double> later = EpochBench.laterEpochsMean(new RunMetrics(driver.runDirectory()), EPOCHS);
    List<Double> fixed = Bench.pipelineSeconds(c, 4);
    double fixedCost = fixed.subList(1, fixed.size()).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    double epoch = later.get("pipeline_seconds");
    int samples = c.schedule().promptsPerEpoch() * c.schedule().imagesPerPrompt();
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
        "BENCH train config=%s target=%s parallelism=%d epoch_seconds=%.2f samples_per_second=%.2f items_per_second=%.2f",
        config.name(), target, parallelism, epoch, samples / epoch, samples * c.ram().renoisings() / epoch));
    later.forEach((k, v) -> {
      if (k.startsWith("stage_") || k.equals("compute_seconds")) {
        line.append(String.format(Locale.ROOT, " %s=%.3f", k, v));
      }
    });
    line.append(String.format(Locale.ROOT, " overhead_share=%.3f fixed_cost_seconds=%.2f fixed_cost_share=%.3f",
        later.get("overhead_share"), fixedCost, fixedCost / epoch));
    out.println(line);
    RunDirectory.deleteTree(dir);
  }
}
