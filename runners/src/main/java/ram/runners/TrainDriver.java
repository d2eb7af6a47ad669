package ram.runners;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

import ram.model.AdamW;
import ram.model.LaggedPolicy;
import ram.model.LoraNetwork;
import ram.model.OdeSampler;
import ram.model.Optimizer;
import ram.model.ProcessMemory;
import ram.model.TimeSampler;
import ram.model.TrainingState;
import ram.pipelines.PromptSets;
import ram.pipelines.TrainEpochPipeline;
import ram.schemas.Prompt;
import ram.transforms.EpochSpec;
import ram.transforms.GrpoSettings;
import ram.transforms.StageTimer;
import ram.transforms.TunedModel;

/**
 * Runs a training run epoch by epoch, one Beam pipeline per epoch, and resumes from the newest
 * published epoch when rerun. Before the first epoch and after the last (and every
 * {@code eval_every} epochs) it evaluates the policy; it prints a progress line per epoch and
 * {@code RESULT key=value} lines at the end.
 */
public final class TrainDriver {

  /** The run's config; {@link #train} pins the base's SHA-256 into it ({@code base_sha256}). */
  private RunConfig config;
  private final RunDirectory run;
  private final RunMetrics metrics;
  private final PrintStream out;
  private final Path home;
  private EmbeddedFlinkCluster cluster;
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
    Path base = config.path("base_checkpoint", home);
    if (!Files.isDirectory(base)) {
      throw new ConfigException("base_checkpoint " + base + " does not exist; run ./ram pretrain " + config.name() + " first");
    }
    java.util.Set<String> rewards = config.getWeights("rewards").keySet();
    List<Prompt> prompts = PromptSets.load(config.path("prompts", home), rewards);
    List<Prompt> evalPrompts = config.has("eval_prompts") ? PromptSets.load(config.path("eval_prompts", home), rewards) : prompts;
    TunedModel model = TunedModel.load(config.getString("model"), base.toString(), lora(config), config.getLong("seed"));
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
    int epochs = config.getInt("epochs");
    int latest = run.repairLatest(out);
    if (latest > 0 && latest != checked) { // the state every later epoch starts from, unless checked before the lock was taken
      model.state(run.checkpoint(latest).toString());
    }
    RunDirectory.writeAtomically(run.configFile(), config.toYaml());
    out.printf("run %s: %s, epochs %d..%d of %d, runner %s%s%n", config.name(), run.root(), latest + 1, epochs, epochs,
        config.getString("runner"), config.getString("runner").equals("flink") ? " " + config.getString("flink_master") : "");
    Map<String, Double> baseEval = evaluateIfDue(0, model, evalPrompts, true);
    if (latest < epochs && Runners.wantsEmbeddedCluster(config)) {
      cluster = EmbeddedFlinkCluster.start(config.getInt("parallelism"));
    }
    if (latest > 0) {
      evaluateIfDue(latest, model, evalPrompts, latest >= epochs); // killed after publishing, before evaluating
    }
    try {
      for (int epoch = latest + 1; epoch <= epochs; epoch++) {
        runEpoch(epoch, prompts, base);
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
      if (previous.has("base_sha256") && !previous.getString("base_sha256").equals(actual)) {
        throw new ConfigException(base + "/" + ram.model.Checkpoint.THETA + " has SHA-256 " + actual + ", but this run was started from "
            + "a base with SHA-256 " + previous.getString("base_sha256") + " (base_sha256 in " + run.configFile()
            + "): the base was changed; restore it, or start a new --output_dir");
      }
    }
    if (config.has("base_sha256") && !config.getString("base_sha256").equals(actual)) {
      throw new ConfigException(base + "/" + ram.model.Checkpoint.THETA + " has SHA-256 " + actual + ", but config '" + config.name()
          + "' pins base_sha256 " + config.getString("base_sha256"));
    }
    return config.with("base_sha256", actual);
  }

  /**
   * On a Flink cluster of its own, the job of a killed driver may still be running and writing
   * into this run's partial epoch: cancels it, and waits until it has ended, before the run goes on.
   */
  private void cancelOrphanJobs() {
    if (OrphanJobs.canOutliveTheDriver(config) && run.latestEpoch() < config.getInt("epochs")) {
      OrphanJobs.cancel(config.getString("flink_master"), run.root(), out, java.time.Duration.ofMinutes(2));
    }
  }

  /** Refuses to resume a run with different training keys than it was started with. */
  private void requireSameTrainingConfig() {
    if (Files.exists(run.configFile())) {
      RunConfig previous = RunConfig.readResolved(run.configFile(), config.name());
      if (!previous.has("base_sha256")) { // started before runs pinned their base: adopt the base it has now
        previous = previous.with("base_sha256", config.getString("base_sha256"));
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
    TrainEpochPipeline.build(p, spec, prompts, config.getInt("prompts_per_epoch"), run.partialEpochDir(epoch).toString(),
        Runners.groupKeys(config));
    PipelineResult result;
    PipelineResult.State state;
    try {
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
    String update = isGrpo(config)
        ? String.format("loss %.5f  kl %.3g  ratio %.5f  clipped %.3f", RunMetrics.epochValue(rows, epoch, "loss"),
            RunMetrics.epochValue(rows, epoch, "kl"), RunMetrics.epochValue(rows, epoch, "ratio"),
            RunMetrics.epochValue(rows, epoch, "frac_clipped"))
        : String.format("loss %.5f  drift %.3g  flipped %.3f", RunMetrics.epochValue(rows, epoch, "loss"),
            RunMetrics.epochValue(rows, epoch, "drift_to_reference"), RunMetrics.epochValue(rows, epoch, "frac_flipped"));
    out.printf("epoch %d/%d  reward %.4f +- %.4f  %s  %.1fs (compute %.1fs)%n", epoch, config.getInt("epochs"),
        RunMetrics.epochValue(rows, epoch, "reward_mean"), RunMetrics.epochValue(rows, epoch, "reward_std"), update,
        pipelineSeconds, compute);
    out.printf("  stages: sample %.1fs  reward %.1fs  gradient %.1fs  update %.1fs (summed over workers)%s%n",
        driver.getOrDefault("stage_sample_seconds", 0.0), driver.getOrDefault("stage_reward_seconds", 0.0),
        driver.getOrDefault("stage_gradient_seconds", 0.0), driver.getOrDefault("stage_update_seconds", 0.0),
        driver.containsKey("driver_peak_rss_mb") ? String.format("  driver memory peak %.1f GB", driver.get("driver_peak_rss_mb") / 1024) : "");
  }

  EpochSpec epochSpec(int epoch, Path base) {
    boolean grpo = isGrpo(config);
    GrpoSettings settings = null;
    if (grpo) {
      settings = new GrpoSettings(config.getDouble("sde_noise_level"), config.getInt("grpo_trained_steps"),
          config.getDouble("grpo_clip_range"), config.getDouble("beta_kl"), config.getDouble("max_grad_norm"),
          config.getDouble("advantage_clip"));
      if (settings.trainedSteps > config.getInt("sample_steps")) {
        throw new ConfigException("grpo_trained_steps " + settings.trainedSteps + " exceeds sample_steps " + config.getInt("sample_steps"));
      }
    }
    // Flow-GRPO is on-policy with group-normalised advantages; RAM's re-noising keys do not apply to it.
    return new EpochSpec(config.getLong("seed"), epoch, config.getString("model"),
        epoch == 1 ? null : run.checkpoint(epoch - 1).toString(), base.toString(),
        grpo ? LaggedPolicy.CURRENT : LaggedPolicy.parse(config.getString("lagged_policy")), config.getInt("images_per_prompt"),
        config.getInt("sample_steps"), odeSolver(config), config.getDouble("cfg_scale"), config.getDouble("time_shift"),
        config.getWeights("rewards"),
        grpo ? EpochSpec.AdvantageMode.GROUP_NORMALIZED : EpochSpec.AdvantageMode.parse(config.getString("advantage")),
        grpo ? 1 : config.getDouble("reward_multiplier"), grpo ? 1 : config.getInt("renoisings"),
        grpo ? TimeSampler.UNIFORM : TimeSampler.parse(config.getString("time_sampler")), config.getInt("optimizer_steps_per_epoch"),
        config.getInt("gradient_shards"), optimizer(config), settings, lora(config));
  }

  /** The rule of each optimizer step: AdamW (the reference's) with the {@code adam_} keys, {@code learning_rate} and {@code weight_decay}. */
  static Optimizer optimizer(RunConfig config) {
    return new AdamW(config.getDouble("learning_rate"), config.getDouble("adam_beta1"), config.getDouble("adam_beta2"),
        config.getDouble("adam_epsilon"), config.getDouble("weight_decay"));
  }

  /** The integrator of training endpoints: {@code ode_solver}, Euler (docs/algorithm.md) where the config has none. */
  static OdeSampler.Method odeSolver(RunConfig config) {
    return config.has("ode_solver") ? OdeSampler.Method.parse(config.getString("ode_solver")) : OdeSampler.Method.EULER;
  }

  /**
   * The LoRA adapters the config trains ({@code finetune: lora}; {@code lora_rank} 8, {@code
   * lora_alpha} 16 and the DiT blocks' projections where absent), or null for full fine-tuning (the
   * default), where a LoRA key would have no effect and is refused.
   */
  static LoraNetwork.Config lora(RunConfig config) {
    List<String> keys = List.of("lora_rank", "lora_alpha", "lora_targets");
    if (!config.has("finetune") || config.getString("finetune").equals("full")) {
      for (String key : keys) {
        if (config.has(key)) {
          throw new ConfigException("config '" + config.name() + "': " + key + " is set, but finetune is full (the default); "
              + "add --finetune lora, or remove " + key);
        }
      }
      return null;
    }
    return new LoraNetwork.Config(config.has("lora_rank") ? config.getInt("lora_rank") : 8,
        config.has("lora_alpha") ? config.getDouble("lora_alpha") : 16.0,
        config.has("lora_targets") ? config.getStrings("lora_targets") : List.of(LoraNetwork.Config.DIT_BLOCKS));
  }

  /** Whether the config runs Flow-GRPO rather than RAM (the default). */
  static boolean isGrpo(RunConfig config) {
    return config.has("algorithm") && config.getString("algorithm").equals("flow_grpo");
  }

  /** Evaluates the policy after {@code epoch} unless already recorded; returns the evaluation. */
  private Map<String, Double> evaluateIfDue(int epoch, TunedModel model, List<Prompt> prompts, boolean force) {
    int samples = config.getInt("eval_samples");
    if (samples == 0 || epoch > run.latestEpoch()) {
      return Map.of();
    }
    int every = config.getInt("eval_every");
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
    OdeSampler sampler = new OdeSampler(config.getInt("eval_steps"), config.getDouble("cfg_scale"), config.getDouble("time_shift"));
    eval.putAll(QuickEvaluation.evaluate(model.network(), state.theta(), prompts, config.evalRewards().keySet(), samples,
        sampler, config.getLong("eval_seed")));
    Map<String, Double> record = new TreeMap<>(eval);
    record.put("evaluation_seconds", (System.nanoTime() - t0) / 1e9);
    metrics.recordDriver(epoch, record);
    out.printf("eval after epoch %d: %s%n", epoch, eval);
    return eval;
  }
}
