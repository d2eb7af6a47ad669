package ram.runners.cluster;

import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

import ram.config.RunConfig;

/** Pipeline options for the configured runner: Flink (embedded {@code [local]} or a cluster) or Direct. */
public final class Runners {

  private Runners() {}

  /** Whether a run should keep its own in-process Flink cluster alive. */
  public static boolean wantsEmbeddedCluster(RunConfig config) {
    return config.runtime().runner().equals("flink") && config.runtime().flinkMaster().equals("[local]");
  }

  /**
   * Options for one pipeline of a run. With {@code flink_master: [local]} and a run-wide
   * {@code cluster}, jobs go to that cluster; {@code [auto]} lets Beam build a local cluster per
   * pipeline; {@code host:port} names an external Flink 1.19 cluster.
   */
  public static PipelineOptions options(RunConfig config, String jobName, EmbeddedFlinkCluster cluster) {
    int parallelism = config.runtime().parallelism();
    if (config.runtime().runner().equals("direct")) {
      DirectOptions o = PipelineOptionsFactory.as(DirectOptions.class);
      o.setRunner(DirectRunner.class);
      o.setTargetParallelism(parallelism);
      o.setJobName(jobName);
      return o;
    }
    FlinkPipelineOptions o = PipelineOptionsFactory.as(FlinkPipelineOptions.class);
    o.setRunner(FlinkRunner.class);
    String master = config.runtime().flinkMaster();
    if (master.equals("[local]") && cluster != null) {
      o.setFlinkMaster(cluster.master());
      o.setFilesToStage(java.util.List.of(cluster.stagedJar()));
    } else if (master.equals("[auto]") || master.equals("[local]")) {
      o.setFlinkMaster("[local]");
    } else {
      // a session cluster that has the project's classpath (./ram flink start, or lib/ of an
      // existing cluster): stage nothing but an empty jar, so DJL's native libraries load once
      o.setFlinkMaster(master);
      o.setFilesToStage(java.util.List.of(EmbeddedFlinkCluster.emptyJar().toString()));
    }
    o.setParallelism(parallelism);
    // one key group per worker, so that FlinkGroupKeys knows where each shuffle key goes
    o.setMaxParallelism(parallelism);
    o.setFlinkConfDir(jobConfDir().toString());
    o.setJobName(jobName);
    o.setFasterCopy(true);
    // The DataSet optimizer enumerates paths through chained side inputs exponentially; the
    // DataStream translation in batch mode has no such optimizer.
    o.setUseDataStreamForBatch(true);
    return o;
  }

  /**
   * Runs a pipeline to its end and returns its final state. When it fails, this returns (throws)
   * only after the Direct runner's workers have stopped: that runner shuts its executor down without
   * waiting, so bundles of the failed run could otherwise still write into the directory the caller
   * is about to clean up. Flink cancels a failed job's tasks itself.
   */
  public static PipelineResult.State runToEnd(Pipeline p) {
    try {
      return p.run().waitUntilFinish();
    } catch (RuntimeException e) {
      awaitDirectWorkersStopped(120_000);
      throw e;
    }
  }

  /** Waits up to {@code millis} for the threads of shut-down Direct runner executors to finish their bundles. */
  public static void awaitDirectWorkersStopped(long millis) {
    long deadline = System.currentTimeMillis() + millis;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("direct-runner-worker") && t != Thread.currentThread()) {
        try {
          t.join(Math.max(1, deadline - System.currentTimeMillis()));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Flink's switch for sizing each batch stage after a shuffle by its bytes. */
  static final String ADAPTIVE_PARALLELISM = "execution.batch.adaptive.auto-parallelism.enabled";
  private static java.nio.file.Path jobConfDir;

  /**
   * The Flink configuration every job is submitted with, on any cluster. Flink's batch scheduler
   * would size each stage after a shuffle by its bytes, and an epoch's items are a few megabytes
   * that cost minutes: it ran the reward, advantage and gradient stages on one worker. The local
   * cluster Beam builds for one pipeline ({@code [local]} without a run-wide cluster, {@code
   * [auto]}) reads it too: its listeners bind to loopback, as the embedded cluster's do (a
   * submitting client ignores these keys).
   */
  static synchronized java.nio.file.Path jobConfDir() {
    if (jobConfDir == null) {
      try {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ram-flink-conf");
        java.util.List<String> lines = new java.util.ArrayList<>(java.util.List.of(ADAPTIVE_PARALLELISM + ": false"));
        lines.addAll(EmbeddedFlinkCluster.listenerLines(EmbeddedFlinkCluster.LOOPBACK, EmbeddedFlinkCluster.LOOPBACK));
        lines.add("");
        java.nio.file.Files.writeString(dir.resolve("flink-conf.yaml"), String.join("\n", lines));
        dir.toFile().deleteOnExit();
        dir.resolve("flink-conf.yaml").toFile().deleteOnExit();
        jobConfDir = dir;
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return jobConfDir;
  }

  /** Shuffle keys that spread groups (prompt slots, gradient shards) over the run's workers. */
  public static ram.transforms.GroupKeys groupKeys(RunConfig config) {
    return config.runtime().runner().equals("direct") ? ram.transforms.GroupKeys.IDENTITY
        : FlinkGroupKeys.spread(config.runtime().parallelism());
  }

  /** Libtorch threads per worker: the cores a worker really owns (docs/stack.md). */
  public static void configureEngineThreads(int parallelism) {
    ram.model.EngineThreads.set(Math.max(1, Runtime.getRuntime().availableProcessors() / parallelism));
  }

  /** Libtorch threads for a single-process command, unless {@code -Dai.djl.pytorch.num_threads} was given. */
  public static void configureEngineThreadsUnlessSet(int parallelism) {
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      configureEngineThreads(parallelism);
    }
  }

  /** Applies the config's {@code device} (if it names one) to this process; fails early if it cannot be had. */
  public static void selectDevice(RunConfig config) {
    ram.model.Devices.select(config.runtime().device());
    System.setProperty(ram.model.Devices.PROPERTY, config.runtime().device());
  }
}
