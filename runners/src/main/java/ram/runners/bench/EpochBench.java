package ram.runners.bench;

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

import ram.config.RunConfig;
import ram.runners.cluster.FlinkSessionCluster;
import ram.runners.cluster.Runners;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;
import ram.runners.train.TrainDriver;

/**
 * Times a few real training epochs of a config: the first epoch's wall time (class loading, cluster
 * start, JIT warm-up) apart, the later epochs' mean split into the time inside model and reward
 * code per stage (Beam counters) and the rest, the pipeline overhead, and the samples and
 * re-noised items per second. Two commands print it:
 * <ul>
 *   <li>{@code ram bench <config>}: {@value #RUNNER_EPOCHS} epochs on the config's Flink target and
 *       on the DirectRunner, one {@code BENCH epoch} line each;
 *   <li>{@code ram bench train [<config>]} (default geneval): {@value #TARGET_EPOCHS} epochs at
 *       parallelism 1 and 2, on embedded Flink (the run's kept-alive mini-cluster) and on a local
 *       session cluster of separate JVMs, one {@code BENCH train} line each, with the fixed cost of
 *       one pipeline on the same target as a share of the epoch.
 * </ul>
 */
public final class EpochBench {

  static final int RUNNER_EPOCHS = 4;
  static final int TARGET_EPOCHS = 3;

  private EpochBench() {}

  /**
   * One measured training run.
   *
   * @param firstEpochSeconds the first epoch's wall seconds
   * @param epochSeconds the later epochs' mean wall seconds
   * @param samplesPerSecond endpoints sampled per second of a later epoch
   * @param itemsPerSecond re-noised training items per second of a later epoch
   * @param compute the later epochs' mean seconds inside model and reward code: per stage ({@code stage_*}) and in all
   *     ({@code compute_seconds})
   * @param overheadShare the share of a later epoch outside model and reward code
   */
  record Measurement(double firstEpochSeconds, double epochSeconds, double samplesPerSecond, double itemsPerSecond,
      Map<String, Double> compute, double overheadShare) {

    /** {@code key=value} pairs in the order both lines print them. */
    String fields() {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
          "first_epoch_seconds=%.2f epoch_seconds=%.2f samples_per_second=%.2f items_per_second=%.2f", firstEpochSeconds,
          epochSeconds, samplesPerSecond, itemsPerSecond));
      compute.forEach((k, v) -> s.append(String.format(Locale.ROOT, " %s=%.3f", k, v)));
      s.append(String.format(Locale.ROOT, " overhead_share=%.3f", overheadShare));
      return s.toString();
    }
  }

  /** {@code ram bench <config>}: the config on its Flink target, then on the DirectRunner. */
  public static void run(RunConfig config, Path home, PrintStream out) {
    Path scratch = scratch("ram-bench-");
    try {
      for (String runner : List.of("flink", "direct")) {
        RunConfig c = config.with("runner", runner);
        Measurement m = measure(c, scratch.resolve(runner), home, RUNNER_EPOCHS);
        out.println(String.format(Locale.ROOT, "BENCH epoch config=%s runner=%s ", config.name(), runner) + m.fields());
      }
    } finally {
      RunDirectory.deleteTree(scratch);
    }
  }

  /** {@code ram bench train}: parallelism 1 and 2 on embedded Flink, then on a local session cluster. */
  static void runTargets(RunConfig config, Path home, PrintStream out) {
    Path scratch = scratch("ram-bench-train-");
    FlinkSessionCluster cluster = new FlinkSessionCluster(scratch.resolve("flink"));
    try {
      for (int parallelism : List.of(1, 2)) {
        measureTarget(config, home, "embedded", "[local]", parallelism, scratch, out);
      }
      cluster.start(1, 2, 0, new PrintStream(new ByteArrayOutputStream()));
      for (int parallelism : List.of(1, 2)) {
        measureTarget(config, home, "cluster", cluster.master(), parallelism, scratch, out);
      }
    } finally {
      cluster.stop(new PrintStream(new ByteArrayOutputStream()));
      RunDirectory.deleteTree(scratch);
    }
  }

  private static void measureTarget(RunConfig config, Path home, String target, String master, int parallelism, Path scratch,
      PrintStream out) {
    RunConfig c = config.with("runner", "flink").with("flink_master", master).with("parallelism", parallelism);
    Runners.configureEngineThreads(parallelism);
    Measurement m = measure(c, scratch.resolve(target + "-p" + parallelism), home, TARGET_EPOCHS);
    List<Double> fixed = Bench.pipelineSeconds(c, 4);
    double fixedCost = fixed.subList(1, fixed.size()).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    out.println(String.format(Locale.ROOT, "BENCH train config=%s target=%s parallelism=%d ", config.name(), target, parallelism)
        + m.fields() + String.format(Locale.ROOT, " fixed_cost_seconds=%.2f fixed_cost_share=%.3f", fixedCost,
            fixedCost / m.epochSeconds()));
  }

  /** Trains {@code epochs} epochs of {@code config} (no evaluation) into {@code dir}, reads the driver's metrics, deletes the run. */
  static Measurement measure(RunConfig config, Path dir, Path home, int epochs) {
    RunConfig c = config.with("epochs", epochs).with("eval_samples", 0).with("output_dir", dir.toString());
    TrainDriver driver = new TrainDriver(c, dir, home, new PrintStream(new ByteArrayOutputStream()));
    driver.train();
    RunMetrics metrics = new RunMetrics(driver.runDirectory());
    Map<String, Double> later = laterEpochsMean(metrics, epochs);
    double first = metrics.readDriver(1).get("pipeline_seconds");
    RunDirectory.deleteTree(dir);
    double epoch = later.get("pipeline_seconds");
    int samples = c.schedule().promptsPerEpoch() * c.schedule().imagesPerPrompt();
    Map<String, Double> compute = new TreeMap<>();
    later.forEach((k, v) -> {
      if (k.startsWith("stage_") || k.equals("compute_seconds")) {
        compute.put(k, v);
      }
    });
    return new Measurement(first, epoch, samples / epoch, samples * c.ram().renoisings() / epoch, compute,
        later.get("overhead_share"));
  }

  /** The driver's per-epoch measurements averaged over epochs 2..{@code epochs} (the first pays warm-up). */
  static Map<String, Double> laterEpochsMean(RunMetrics metrics, int epochs) {
    Map<String, Double> later = new TreeMap<>();
    for (int e = 2; e <= epochs; e++) {
      metrics.readDriver(e).forEach((k, v) -> later.merge(k, v / (epochs - 1), Double::sum));
    }
    return later;
  }

  private static Path scratch(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
