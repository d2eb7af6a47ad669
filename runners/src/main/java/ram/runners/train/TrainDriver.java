package ram.runners.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

import ram.config.ConfigException;
import ram.config.ConfigKeys;
import ram.config.FinetuneSettings;
import ram.config.ModelSettings;
import ram.config.RunConfig;
import ram.model.LoraNetwork;
import ram.model.OdeSampler;
import ram.model.ProcessMemory;
import ram.model.TrainingState;
import ram.pipelines.PromptSets;
import ram.pipelines.TrainEpochPipeline;
import ram.runners.cluster.EmbeddedFlinkCluster;
import ram.runners.cluster.OrphanJobs;
import ram.runners.cluster.Runners;
import ram.runners.report.Report;
import ram.runners.report.TensorBoardEvents;
import ram.runners.store.OwnedDirectory;
import ram.runners.store.WriterLock;
import ram.schemas.Prompt;
import ram.transforms.EpochSpec;
import ram.transforms.StageTimer;
import ram.transforms.TunedModel;
import ram.transforms.algorithm.PostTrainingAlgorithm;
import ram.transforms.algorithm.ProgressMetric;

/**
 * Runs a training run epoch by epoch, one Beam pipeline per epoch, and resumes from the newest
 * published epoch when rerun. Before the first epoch and after the last (and every
 * {@code eval_every} epochs) it evaluates the policy; it prints each epoch's stages and the run's
 * time left ({@link Progress}), a summary line per epoch and {@code RESULT key=value} lines at the end.
 */
public final class TrainDriver {

  /** The run's config; {@link #train} pins the base's SHA-256 into it ({@code base_sha256}). */
  private RunConfig config;
  private final RunDirectory run;
  private final RunMetrics metrics;
  private final PrintStream out;
  private final Path home;
  private EmbeddedFlinkCluster cluster;
  private Progress progress;
  private double maxRewardFailures = RewardFailures.DEFAULT_MAX_FRACTION;

  public TrainDriver(RunConfig config, Path runDir, Path home, PrintStream out) {
    this.config = config;
    this.run = new RunDirectory(runDir);
    this.metrics = new RunMetrics(run);
    this.out = out;
    this.home = home;
  }

  public RunDirectory runDirectory() {
    return run;
  }

  /** Trains to {@code epochs}; returns the final evaluation. */
  public Map<String, Double> train() {
    long started = System.nanoTime();
    // Everything that can be wrong with the inputs is checked before anything is written.
    ModelSettings modelSettings = config.model().resolvedAgainst(home);
    Path base = Path.of(modelSettings.base());
    if (!modelSettings.isTorchScript() && !Files.isDirectory(base)) {
      throw new ConfigException("base_checkpoint " + base + " does not exist; run ./ram pretrain " + config.name() + " first");
    }
    java.util.Set<String> rewards = config.task().rewards().keySet();
    ram.rewards.RewardSettings rewardSettings = config.rewardSettings(home);
    List<Prompt> prompts = PromptSets.load(RunConfig.resolve(config.task().prompts(), home), rewards, rewardSettings);
    List<Prompt> evalPrompts = config.evaluation().prompts() != null
        ? PromptSets.load(RunConfig.resolve(config.evaluation().prompts(), home), rewards, rewardSettings) : prompts;
    if (config.evaluation().samples() > 0) {
      for (String name : config.evaluation().rewards().keySet()) { // the checks' rewards too: a missing model file fails now
        ram.rewards.RewardRegistry.create(name, rewardSettings).close();
      }
    }
    if (modelSettings.isTorchScript() && config.finetune().lora()) {
      throw new ConfigException("finetune: lora applies to the built-in networks; for a TorchScript model, export it with its "
          + "adapters and train them with trainable: .*lora.* (docs/your-model.md)");
    }
    TunedModel model = TunedModel.of(modelSettings, lora(config), config.seed()); // a TorchScript model is loaded and checked here
    epochSpec(1, base);
    model.start(); // reads the base and checks its layout
    maxRewardFailures = RewardFailures.maxFraction(config);
    OwnedDirectory.requireClaimable(run.root(), OwnedDirectory.Kind.RUN, "--output_dir"); // before reading its config.yaml
    config = pinBase(base, model.baseSha256());
    requireSameTrainingConfig();
    int resumable = run.resolveLatest().epoch();
    if (resumable > 0) { // a state of another model or base is refused before anything, the lock record included, is written
      model.state(run.checkpoint(resumable).toString());
    }
    OwnedDirectory.claim(run.root(), OwnedDirectory.Kind.RUN, "--output_dir");
    try (WriterLock lock = WriterLock.acquire(run.root(), "train " + config.name())) {
      return trainLocked(started, model, prompts, evalPrompts, base, resumable);
    }
  }

  private Map<String, Double> trainLocked(long started, TunedModel model, List<Prompt> prompts, List<Prompt> evalPrompts, Path base,
      int checked) {
    cancelOrphanJobs(); // under the lock, before the partial epoch they write into is cleaned up
    run.removeCrashDebris();
    int epochs = config.schedule().epochs();
    int latest = run.repairLatest(out);
    if (latest > 0 && latest != checked) { // the state every later epoch starts from, unless checked before the lock was taken
      model.state(run.checkpoint(latest).toString());
    }
    RunDirectory.writeAtomically(run.configFile(), config.toYaml());
    out.printf("run %s: %s, epochs %d..%d of %d, runner %s%s%n", config.name(), run.root(), latest + 1, epochs, epochs,
        config.runtime().runner(), config.runtime().runner().equals("flink") ? " " + config.runtime().flinkMaster() : "");
    Map<String, Double> baseEval = evaluateIfDue(0, model, evalPrompts, true);
    if (latest < epochs && Runners.wantsEmbeddedCluster(config)) {
      cluster = EmbeddedFlinkCluster.start(config.runtime().parallelism());
      out.println("Flink dashboard: " + cluster.dashboardUrl());
    }
    if (latest > 0) {
      evaluateIfDue(latest, model, evalPrompts, latest >= epochs); // killed after publishing, before evaluating
    }
    progress = new Progress(out, epochs);
    try {
      for (int epoch = latest + 1; epoch <= epochs; epoch++) {
        runEpoch(epoch, prompts, base);
        progress.epochDone(epoch);
        evaluateIfDue(epoch, model, evalPrompts, epoch == epochs);
      }
    } finally {
      if (cluster != null) {
        cluster.close();
        cluster = null;
      }
    }
    int last = Math.max(latest, epochs);
    Map<String, Double> finalEval = evaluateIfDue(last, model, evalPrompts, true);
    List<RunMetrics.Row> rows = metrics.rebuild(run.latestEpoch());
    writeSinks(rows, run.latestEpoch()); // the run's last epoch, now that its evaluation is in
    double wall = (System.nanoTime() - started) / 1e9;
    baseEval.forEach((k, v) -> out.printf("RESULT base_%s=%.4f%n", k, v));
    finalEval.forEach((k, v) -> out.printf("RESULT final_%s=%.4f%n", k, v));
    out.printf("RESULT final_epoch=%d%n", run.latestEpoch());
    double pipelineSeconds = 0;
    for (int e = 1; e <= run.latestEpoch(); e++) {
      pipelineSeconds += RunMetrics.epochValue(rows, e, "pipeline_seconds");
    }
    out.printf("RESULT mean_pipeline_seconds=%.2f%n", pipelineSeconds / Math.max(1, run.latestEpoch()));
    out.printf("RESULT wall_seconds=%.1f%n", wall);
    Report.write(run, rows, config);
    return finalEval;
  }

  /**
   * The config with {@code base_sha256}, the SHA-256 of the base's {@code theta.params}, pinned.
   * A base whose hash differs from the one the run's resolved config pinned when it started (or
   * the config itself pins) is refused: resuming over a changed base would silently train from
   * one base and compare against another. This holds for full fine-tuning and LoRA alike; a LoRA
   * checkpoint's manifest also names its base, for loading it without the run.
   */
  private RunConfig pinBase(Path base, String actual) {
    if (Files.exists(run.configFile())) {
      RunConfig previous = RunConfig.readResolved(run.configFile(), config.name());
      if (previous.model().baseSha256() != null && !previous.model().baseSha256().equals(actual)) {
        throw new ConfigException(baseWeights() + " has SHA-256 " + actual + ", but this run was started from "
            + "a base with SHA-256 " + previous.model().baseSha256() + " (base_sha256 in " + run.configFile()
            + "): the base was changed; restore it, or start a new --output_dir");
      }
    }
    if (config.model().baseSha256() != null && !config.model().baseSha256().equals(actual)) {
      throw new ConfigException(baseWeights() + " has SHA-256 " + actual + ", but config '" + config.name()
          + "' pins base_sha256 " + config.model().baseSha256());
    }
    return config.with("base_sha256", actual);
  }

  /**
   * On a Flink cluster of its own, the job of a killed driver may still be running and writing
   * into this run's partial epoch: cancels it, and waits until it has ended, before the run goes on.
   */
  private void cancelOrphanJobs() {
    if (OrphanJobs.canOutliveTheDriver(config) && run.latestEpoch() < config.schedule().epochs()) {
      OrphanJobs.cancel(config.runtime().flinkMaster(), run.root(), out, java.time.Duration.ofMinutes(2));
    }
  }

  /** Refuses to resume a run with different training keys than it was started with. */
  private void requireSameTrainingConfig() {
    if (Files.exists(run.configFile())) {
      RunConfig previous = RunConfig.readResolved(run.configFile(), config.name());
      if (previous.model().baseSha256() == null) { // started before runs pinned their base: adopt the base it has now
        previous = previous.with("base_sha256", config.model().baseSha256());
      }
      List<String> differences = config.trainingDifferences(previous);
      if (!differences.isEmpty()) {
        throw new ConfigException(run.configFile() + ": this run was started with different values for " + differences
            + "; resume with the same config, or choose a new --output_dir");
      }
    }
  }

  private void runEpoch(int epoch, List<Prompt> prompts, Path base) {
    long t0 = System.nanoTime();
    run.discardPartial(epoch);
    EpochSpec spec = epochSpec(epoch, base);
    Pipeline p = Pipeline.create(Runners.options(config, OrphanJobs.jobName(config.name(), epoch, run.root()), cluster));
    TrainEpochPipeline.build(p, spec, prompts, config.schedule().promptsPerEpoch(), run.partialEpochDir(epoch).toString(),
        Runners.groupKeys(config));
    PipelineResult result;
    PipelineResult.State state;
    try (Progress.StageWatch stages = progress.watch(epoch, run.partialEpochDir(epoch), spec.optimizerSteps)) {
      result = p.run();
      state = result.waitUntilFinish();
    } catch (RuntimeException e) {
      Runners.awaitDirectWorkersStopped(120_000);
      throw new IllegalStateException("epoch " + epoch + " failed, nothing of it is published; rerun the command to resume after epoch "
          + (epoch - 1), e);
    }
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("epoch " + epoch + " pipeline ended in state " + state + ", nothing of it is published; "
          + "rerun the command to resume after epoch " + (epoch - 1));
    }
    RewardFailures failures = RewardFailures.read(spec.trainingRewardName(), run.partialEpochDir(epoch).toString());
    if (failures.tooMany(maxRewardFailures)) { // no learning signal: refuse the epoch rather than publish an update without one
      run.discardPartial(epoch);
      throw new IllegalStateException(failures.message(epoch) + "; nothing of it is published");
    }
    double pipelineSeconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> driver = new TreeMap<>(StageTimer.read(result));
    double compute = driver.values().stream().mapToDouble(Double::doubleValue).sum();
    driver.put("compute_seconds", compute);
    driver.put("pipeline_seconds", pipelineSeconds);
    driver.put("overhead_share", Math.max(0, 1 - compute / pipelineSeconds));
    ProcessMemory.peakResidentMegabytes().ifPresent(mb -> driver.put("driver_peak_rss_mb", mb));
    metrics.recordDriver(epoch, driver); // before publishing, so a published epoch always has its timings
    run.publish(epoch);
    List<RunMetrics.Row> rows = metrics.rebuild(epoch);
    writeSinks(rows, epoch - 1); // epoch's own evaluation comes after this
    String update = progress(spec.algorithm, metric -> RunMetrics.epochValue(rows, epoch, metric));
    out.printf("epoch %d/%d  reward %.4f +- %.4f  %s  %.1fs (compute %.1fs)%n", epoch, config.schedule().epochs(),
        RunMetrics.epochValue(rows, epoch, "reward_mean"), RunMetrics.epochValue(rows, epoch, "reward_std"), update,
        pipelineSeconds, compute);
    out.printf("  stages: sample %.1fs  reward %.1fs  gradient %.1fs  update %.1fs (summed over workers)%s%n",
        driver.getOrDefault("stage_sample_seconds", 0.0), driver.getOrDefault("stage_reward_seconds", 0.0),
        driver.getOrDefault("stage_gradient_seconds", 0.0), driver.getOrDefault("stage_update_seconds", 0.0),
        driver.containsKey("driver_peak_rss_mb") ? String.format("  driver memory peak %.1f GB", driver.get("driver_peak_rss_mb") / 1024) : "");
  }

  EpochSpec epochSpec(int epoch, Path base) {
    ModelSettings model = config.model().resolvedAgainst(home);
    return EpochSpec.of(config, epoch, epoch == 1 ? null : run.checkpoint(epoch - 1).toString(), base.toString(), lora(config),
        model.initWeights(), model.torchscript(), config.rewardSettings(home));
  }

  /** The metrics sinks the config names, for every epoch up to {@code upTo} they have not yet received. */
  private void writeSinks(List<RunMetrics.Row> rows, int upTo) {
    if (config.runtime().metricsSinks().contains("tensorboard")) {
      TensorBoardEvents.writeMissing(run.root(), rows, upTo);
    }
  }

  /** What the pinned SHA-256 is of: the init_weights file, the TorchScript module, or the base checkpoint's weights. */
  private String baseWeights() {
    ModelSettings model = config.model().resolvedAgainst(home);
    if (model.isTorchScript()) {
      return model.torchscript().velocity() + (model.initWeights() == null ? "" : " with " + model.initWeights());
    }
    return model.initWeights() != null ? model.initWeights() : model.baseCheckpoint() + "/" + ram.model.Checkpoint.THETA;
  }

  /** The algorithm's figures of the progress line ({@code loss 0.01234  drift ...}), each read by {@code epochValue}. */
  static String progress(PostTrainingAlgorithm algorithm, ToDoubleFunction<String> epochValue) {
    List<String> figures = new ArrayList<>();
    for (ProgressMetric m : algorithm.progressMetrics()) {
      figures.add(m.label() + " " + String.format(m.format(), epochValue.applyAsDouble(m.metric())));
    }
    return String.join("  ", figures);
  }

  /**
   * The LoRA adapters the config trains ({@code finetune: lora}), or null for full fine-tuning (the
   * default), where a LoRA key would have no effect and is refused.
   */
  public static LoraNetwork.Config lora(RunConfig config) {
    FinetuneSettings finetune = config.finetune();
    if (!finetune.lora()) {
      for (String key : List.of("lora_rank", "lora_alpha", "lora_targets")) {
        if (config.has(key) && !config.resolvedValues().get(key).equals(ConfigKeys.get(key).defaultValue())) {
          throw new ConfigException("config '" + config.name() + "': " + key + " is set, but finetune is full (the default); "
              + "add --finetune lora, or remove " + key);
        }
      }
    }
    return finetune.loraConfig();
  }

  /** The config name of the algorithm the config runs. */
  public static String algorithmName(RunConfig config) {
    return config.schedule().algorithm();
  }

  /** Evaluates the policy after {@code epoch} unless already recorded; returns the evaluation. */
  private Map<String, Double> evaluateIfDue(int epoch, TunedModel model, List<Prompt> prompts, boolean force) {
    int samples = config.evaluation().samples();
    if (samples == 0 || epoch > run.latestEpoch()) {
      return Map.of();
    }
    int every = config.evaluation().every();
    Map<String, Double> recorded = metrics.readDriver(epoch);
    Map<String, Double> eval = new TreeMap<>();
    recorded.forEach((k, v) -> {
      if (k.startsWith("eval_")) {
        eval.put(k, v);
      }
    });
    if (!eval.isEmpty() || !(force || every > 0 && epoch % every == 0)) {
      return eval;
    }
    long t0 = System.nanoTime();
    TrainingState state = model.state(epoch == 0 ? null : run.checkpoint(epoch).toString());
    OdeSampler sampler = new OdeSampler(config.evaluation().steps(), config.sampling().cfgScale(), config.sampling().timeShift());
    eval.putAll(QuickEvaluation.evaluate(model.network(), state.theta(), prompts, config.evaluation().rewards().keySet(),
        config.rewardSettings(home), samples, sampler, config.evaluation().seed()));
    Map<String, Double> record = new TreeMap<>(eval);
    record.put("evaluation_seconds", (System.nanoTime() - t0) / 1e9);
    metrics.recordDriver(epoch, record);
    out.printf("eval after epoch %d: %s%n", epoch, eval);
    return eval;
  }
}
