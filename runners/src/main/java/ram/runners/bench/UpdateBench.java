package ram.runners.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ram.config.RunConfig;
import ram.model.Devices;
import ram.model.ParameterTraffic;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;
import ram.runners.train.TrainDriver;
import ram.transforms.ApplyUpdate;
import ram.transforms.ComputeGradients;
import ram.transforms.LoadState;
import ram.transforms.StoreFiles;
import ram.transforms.SumGradients;
import ram.transforms.TunedModel;
import ram.transforms.WriteCheckpoint;

/**
 * {@code ram bench update [<config>]}: what the update moves per optimizer step, counted while the
 * real epoch pipeline runs. Each config trains a first epoch (class loading, JIT, module loading),
 * then a second one, measured, with a tiny sampling budget ({@value #STEPS} optimizer steps of one
 * prompt group each, {@value #SAMPLE_STEPS} Euler steps) in this JVM (the DirectRunner, or Flink
 * on the embedded cluster), so that every worker's reads, writes and uploads are counted:
 * <ul>
 *   <li>the store bytes each stage writes and reads ({@link StoreFiles#observe}): per step the
 *       state it starts from, the gradient shards, their sum and the new state; per epoch
 *       {@code LoadState} and {@code WriteCheckpoint}; and the worker stages' reads of the frozen base;
 *   <li>the parameter copies into and out of the engine in the gradient and update stages
 *       ({@link ParameterTraffic}): on the CPU an upload is a copy into libtorch's memory, on a GPU
 *       a host-to-device copy;
 *   <li>the wall seconds from one step's new state to the next's, and the seconds inside the
 *       gradient code (summed over workers) and inside the update (state decoding, AdamW, encoding).
 * </ul>
 * Without a config it measures the shipped variants in one run: the base fully fine-tuned
 * (geneval), the same with {@code finetune: lora}, and the TorchScript fixture
 * (torchscript_image), each later one also as a ratio to the first.
 */
final class UpdateBench {

  static final int STEPS = 3;
  static final int SAMPLE_STEPS = 4;
  /** The update's stages: what they move is the update's. */
  static final List<String> UPDATE_STAGES = List.of(LoadState.STAGE, ComputeGradients.STAGE, SumGradients.STAGE, ApplyUpdate.STAGE,
      WriteCheckpoint.STAGE);
  private static final Pattern STEP_FILE = Pattern.compile("/scratch/step-(\\d+)/([^/]+)$");

  private UpdateBench() {}

  /**
   * One measured epoch.
   *
   * @param stepWrittenBytes store bytes written per optimizer step (mean over the epoch's steps)
   * @param epochWrittenBytes store bytes {@code LoadState} and {@code WriteCheckpoint} wrote, once per epoch
   * @param baseReadBytes bytes of the frozen base (outside the run directory) the update's workers read in the epoch
   * @param perStep per kind, the parameter copies of the gradient and update stages per step
   * @param stepSeconds wall seconds from one step's new state to the next's (mean)
   * @param gradientSeconds seconds per step inside the gradient code, summed over workers
   * @param updateSeconds seconds per step inside the update: decoding the state, AdamW, the EMA, encoding the new state
   */
  record Measurement(String variant, String config, long trainedParameters, int itemsPerStep, int rowsPerStep, int shards,
      long stateFileBytes, long gradientFileBytes, double stepWrittenBytes, double stepReadBytes, long epochWrittenBytes,
      long epochReadBytes, long baseReadBytes, Map<ParameterTraffic.Kind, double[]> perStep, double stepSeconds,
      double gradientSeconds, double updateSeconds) {

    /** Calls per step of {@code kind}. */
    double calls(ParameterTraffic.Kind kind) {
      return perStep.get(kind)[0];
    }

    /** Bytes per step of {@code kind}. */
    double bytes(ParameterTraffic.Kind kind) {
      return perStep.get(kind)[1];
    }

    String line() {
      StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
          "BENCH update variant=%s config=%s device=%s trained_parameters=%d steps=%d items_per_step=%d rows_per_step=%d"
              + " gradient_shards=%d state_file_bytes=%d gradient_file_bytes=%d step_written_bytes=%.0f step_read_bytes=%.0f"
              + " epoch_written_bytes=%d epoch_read_bytes=%d base_read_bytes=%d",
          variant, config, Devices.current().getDeviceType(), trainedParameters, STEPS, itemsPerStep, rowsPerStep, shards, stateFileBytes,
          gradientFileBytes, stepWrittenBytes, stepReadBytes, epochWrittenBytes, epochReadBytes, baseReadBytes));
      for (ParameterTraffic.Kind kind : ParameterTraffic.Kind.values()) {
        String name = kind.name().toLowerCase(Locale.ROOT);
        s.append(String.format(Locale.ROOT, " %ss_per_step=%.1f %s_bytes_per_step=%.0f", name, calls(kind), name, bytes(kind)));
      }
      s.append(String.format(Locale.ROOT, " step_seconds=%.3f gradient_seconds_per_step=%.3f update_seconds_per_step=%.3f", stepSeconds,
          gradientSeconds, updateSeconds));
      return s.toString();
    }
  }

  /** Measures each config in turn and prints a line each, then each later one's ratios to the first. */
  static void run(List<RunConfig> configs, Path home, PrintStream out) {
    Path scratch;
    try {
      scratch = Files.createTempDirectory("ram-bench-update-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Measurement> measured = new ArrayList<>();
    try {
      for (int i = 0; i < configs.size(); i++) {
        Measurement m = measure(configs.get(i), scratch.resolve("run-" + i), home);
        out.println(m.line());
        measured.add(m);
      }
    } finally {
      RunDirectory.deleteTree(scratch);
    }
    Measurement first = measured.get(0);
    for (Measurement m : measured.subList(1, measured.size())) {
      out.println(String.format(Locale.ROOT, "BENCH update ratio variant=%s to=%s trained_parameters=%.5f step_written_bytes=%.5f"
              + " step_read_bytes=%.5f upload_bytes=%.5f engine_bytes=%.5f step_seconds=%.3f", m.variant(), first.variant(),
          (double) m.trainedParameters() / first.trainedParameters(), m.stepWrittenBytes() / first.stepWrittenBytes(),
          m.stepReadBytes() / first.stepReadBytes(), m.bytes(ParameterTraffic.Kind.UPLOAD) / first.bytes(ParameterTraffic.Kind.UPLOAD),
          engineBytes(m) / engineBytes(first), m.stepSeconds() / first.stepSeconds()));
    }
  }

  /** Every parameter byte a step copies into the engine or a module: uploads, frozen uploads and binds. */
  static double engineBytes(Measurement m) {
    return m.bytes(ParameterTraffic.Kind.UPLOAD) + m.bytes(ParameterTraffic.Kind.FROZEN_UPLOAD) + m.bytes(ParameterTraffic.Kind.BIND);
  }

  /** The variant a config trains: a TorchScript model, LoRA adapters, or every weight. */
  static String variant(RunConfig config) {
    return config.model().isTorchScript() ? "torchscript" : config.finetune().lora() ? "lora" : "full";
  }

  /**
   * Trains epoch 1 of {@code config} at the bench's budget into {@code dir}, then epoch 2 while
   * counting, and deletes the run. One prompt group per optimizer step; the config's P and S are
   * replaced, everything else (G, K, shards, the model) is the config's.
   */
  static Measurement measure(RunConfig config, Path dir, Path home) {
    return measure(config, dir, home, true);
  }

  /** {@link #measure(RunConfig, Path, Path)}, counting epoch 1 itself unless {@code warmUp}. */
  static Measurement measure(RunConfig config, Path dir, Path home, boolean warmUp) {
    RunConfig c = config.with("prompts_per_epoch", STEPS).with("optimizer_steps_per_epoch", STEPS).with("sample_steps", SAMPLE_STEPS)
        .with("eval_samples", 0).with("output_dir", dir.toString()).with("epochs", 1);
    if (c.runtime().flink()) {
      c = c.with("flink_master", "[local]"); // the workers must be in this JVM to be counted
    }
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    int epoch = warmUp ? 2 : 1;
    if (warmUp) {
      new TrainDriver(c, dir, home, quiet).train();
    }
    ConcurrentLinkedQueue<StoreFiles.Transfer> transfers = new ConcurrentLinkedQueue<>();
    Map<ParameterTraffic.Key, ParameterTraffic.Count> before = ParameterTraffic.snapshot();
    TrainDriver driver = new TrainDriver(c.with("epochs", epoch), dir, home, quiet);
    try (StoreFiles.Observation o = StoreFiles.observe(t -> {
      if (UPDATE_STAGES.contains(t.stage())) {
        transfers.add(t);
      }
    })) {
      driver.train();
    }
    Map<ParameterTraffic.Key, ParameterTraffic.Count> after = ParameterTraffic.snapshot();
    Map<String, Double> timings = new RunMetrics(driver.runDirectory()).readDriver(epoch);
    long trained = TunedModel.of(c.model().resolvedAgainst(home), TrainDriver.lora(c), c.seed()).start().size();
    Measurement m = account(c, dir, transfers, before, after, timings, trained);
    RunDirectory.deleteTree(dir);
    return m;
  }

  /** The per-step and per-epoch figures of an epoch's transfers and parameter counts. */
  static Measurement account(RunConfig c, Path runDir, Iterable<StoreFiles.Transfer> transfers,
      Map<ParameterTraffic.Key, ParameterTraffic.Count> before, Map<ParameterTraffic.Key, ParameterTraffic.Count> after,
      Map<String, Double> timings, long trained) {
    String run = runDir.toAbsolutePath().normalize().toString();
    long stepWritten = 0;
    long stepRead = 0;
    long epochWritten = 0;
    long epochRead = 0;
    long baseRead = 0;
    long stateFile = 0;
    long gradientFile = 0;
    TreeMap<Integer, Long> stateWrittenAt = new TreeMap<>();
    for (StoreFiles.Transfer t : transfers) {
      String path = localPath(t.uri());
      Matcher step = STEP_FILE.matcher(path);
      boolean scratchOfStep = step.find() || path.endsWith("/scratch/state-start.bin");
      boolean ofStage = t.stage().equals(LoadState.STAGE) || t.stage().equals(WriteCheckpoint.STAGE);
      if (!path.startsWith(run)) {
        baseRead += t.bytes(); // the frozen base (a TorchScript model's is never read through the store)
      } else if (scratchOfStep && !ofStage) {
        if (t.write()) {
          stepWritten += t.bytes();
        } else {
          stepRead += t.bytes();
        }
      } else if (t.write()) {
        epochWritten += t.bytes();
      } else {
        epochRead += t.bytes();
      }
      if (t.write() && scratchOfStep && path.endsWith("/state.bin")) {
        stateWrittenAt.put(Integer.parseInt(step.group(1)), t.nanoTime());
        stateFile = t.bytes();
      }
      if (t.write() && path.endsWith("/gradient-sum.bin")) {
        gradientFile = t.bytes();
      }
    }
    Map<ParameterTraffic.Kind, double[]> perStep = new EnumMap<>(ParameterTraffic.Kind.class);
    for (ParameterTraffic.Kind kind : ParameterTraffic.Kind.values()) {
      double calls = 0;
      double bytes = 0;
      for (String stage : UPDATE_STAGES) {
        ParameterTraffic.Count n = ParameterTraffic.between(before, after, stage, kind);
        calls += n.calls();
        bytes += n.bytes();
      }
      perStep.put(kind, new double[] {calls / STEPS, bytes / STEPS});
    }
    double stepSeconds = stateWrittenAt.size() < 2 ? Double.NaN
        : (stateWrittenAt.lastEntry().getValue() - stateWrittenAt.firstEntry().getValue()) / 1e9 / (stateWrittenAt.size() - 1);
    int items = c.schedule().promptsPerEpoch() / STEPS * c.schedule().imagesPerPrompt();
    return new Measurement(variant(c), c.name(), trained, items, items * c.ram().renoisings(), c.schedule().gradientShards(), stateFile,
        gradientFile, (double) stepWritten / STEPS, (double) stepRead / STEPS, epochWritten, epochRead, baseRead, perStep, stepSeconds,
        timings.getOrDefault("stage_gradient_seconds", 0.0) / STEPS, timings.getOrDefault("stage_update_seconds", 0.0) / STEPS);
  }

  /** A store URI as an absolute local path ({@code file:} URIs too). */
  private static String localPath(String uri) {
    String path = uri.startsWith("file:") ? java.net.URI.create(uri).getPath() : uri;
    return Path.of(path).toAbsolutePath().normalize().toString();
  }
}
