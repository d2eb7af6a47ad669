package ram.runners.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.TypeDescriptors;

import ram.config.RunConfig;
import ram.rewards.RewardBenchmark;
import ram.runners.cluster.EmbeddedFlinkCluster;
import ram.runners.cluster.Runners;

/**
 * {@code ram bench <what>}: measurements printed as {@code BENCH key=value} lines.
 * {@code pipeline}: the fixed cost of one Beam pipeline on the configured runner (a trivial
 * pipeline with one shuffle, run repeatedly in one JVM, as the epoch driver does).
 * {@code rewards}: images per second of each image reward. {@code model}: the config's image network's
 * sampling and RAM-update throughput against the engine's matmul peak ({@link ModelBench}).
 * {@code train}: epoch time by stage at parallelism 1 and 2, embedded and on a local session
 * cluster, with the per-pipeline fixed cost as a share; {@code <config>}: epoch time by stage on
 * Flink and on the DirectRunner (both {@link EpochBench}). {@code pipelines}: rescore and export
 * throughput ({@link StoreBench}). {@code update}: the bytes an optimizer step writes, reads and copies
 * into the engine, and its seconds, for several configs in one run ({@link UpdateBench}).
 */
public final class Bench {

  private Bench() {}

  public static void run(String what, RunConfig config, PrintStream out) {
    switch (what) {
      case "pipeline" -> pipeline(config, out);
      case "rewards" -> RewardBenchmark.run(out, 200);
      case "model" -> ModelBench.run(config, out);
      case "train" -> EpochBench.runTargets(config, java.nio.file.Path.of(System.getProperty("ram.home", ".")).toAbsolutePath(), out);
      case "pipelines" -> StoreBench.run(config, java.nio.file.Path.of(System.getProperty("ram.home", ".")).toAbsolutePath(), out);
      default -> EpochBench.run(config, java.nio.file.Path.of(System.getProperty("ram.home", ".")).toAbsolutePath(), out);
    }
  }

  /** {@code ram bench update}: each config's update traffic per optimizer step, and the later configs' ratios to the first. */
  public static void update(List<RunConfig> configs, PrintStream out) {
    UpdateBench.run(configs, java.nio.file.Path.of(System.getProperty("ram.home", ".")).toAbsolutePath(), out);
  }

  static void pipeline(RunConfig config, PrintStream out) {
    int runs = 6;
    List<Double> seconds = pipelineSeconds(config, runs);
    double later = seconds.subList(1, runs).stream().mapToDouble(Double::doubleValue).average().orElse(0);
    out.printf("BENCH pipeline runner=%s master=%s first_seconds=%.2f later_mean_seconds=%.2f runs=%d%n",
        config.runtime().runner(), config.runtime().flinkMaster(), seconds.get(0), later, runs);
  }

  /** Wall seconds of {@code runs} trivial pipelines (one shuffle) in a row on the config's runner. */
  static List<Double> pipelineSeconds(RunConfig config, int runs) {
    EmbeddedFlinkCluster cluster = Runners.wantsEmbeddedCluster(config) ? EmbeddedFlinkCluster.start(config.runtime().parallelism()) : null;
    List<Double> seconds = new ArrayList<>();
    try {
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        Pipeline p = Pipeline.create(Runners.options(config, "ram-bench-" + i, cluster));
        p.apply(Create.of(1, 2, 3, 4, 5, 6, 7, 8))
            .apply(WithKeys.of((Integer x) -> x % 2).withKeyType(TypeDescriptors.integers()))
            .apply(GroupByKey.create())
            .apply(Count.globally());
        if (p.run().waitUntilFinish() != PipelineResult.State.DONE) {
          throw new IllegalStateException("benchmark pipeline failed");
        }
        seconds.add((System.nanoTime() - t0) / 1e9);
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
    return seconds;
  }
}
