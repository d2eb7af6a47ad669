package ram.runners.pretrain;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ram.config.ConfigException;
import ram.config.PretrainSettings;
import ram.config.RunConfig;
import ram.model.AdamW;
import ram.model.Checkpoint;
import ram.model.FlowMatchingPretrainer;
import ram.model.Noise;
import ram.model.Optimizer;
import ram.model.ParameterSet;
import ram.model.TrainingData;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;
import ram.runners.train.ImageModels;
import ram.runners.train.RunDirectory;

/**
 * The pretraining loop of every base: flow matching with prompt dropout, AdamW at a learning rate
 * warmed up linearly and then decayed or held ({@link LearningRateSchedule}), a per-step EMA of the
 * weights (decay 0 keeps the last step's weights), and progress lines. Given a directory
 * ({@code pretrain_dir}), it writes a training checkpoint there every {@code pretrain_checkpoint_every}
 * steps, so that rerunning the command resumes where it stopped with bit-identical results (every
 * step's data, noise and times derive from {@code (pretrain_seed, step)}); without one it trains in
 * memory. The base it yields is the EMA.
 *
 * <p>A plain loop rather than a pipeline: one process trains one small model, and its steps are
 * sequential; the pipeline machinery is for the RL epochs (see docs/model.md).
 */
public final class PretrainingLoop {

  static final String STATE = "checkpoint";
  private static final String SETTINGS = "settings.json";
  private static final int MAX_RETRIES = 3;
  private static final String[] SETTINGS_KEYS = {"model", "task", "pretrain_seed", "pretrain_batch_size",
    "pretrain_learning_rate", "pretrain_weight_decay", "pretrain_warmup_steps", "pretrain_prompt_dropout",
    "pretrain_ema_decay", "pretrain_shapes_share", "pretrain_init"};
  /** Settings added later: recorded only when set, so that older pretraining directories still resume. */
  private static final String[] OPTIONAL_SETTINGS_KEYS = {"pretrain_init_only", "pretrain_words", "pretrain_schedule"};

  private final RunConfig config;
  private final VelocityNetwork network;
  private final TrainingData data;
  private final PrintStream out;
  private final Path home;

  PretrainingLoop(RunConfig config, Path home, VelocityNetwork network, TrainingData data, PrintStream out) {
    this.config = config;
    this.home = home;
    this.network = network;
    this.data = data;
    this.out = out;
  }

  /**
   * Trains to {@code pretrain_steps}, resuming after the checkpoint in {@code dir} if it holds one
   * ({@code dir} null: in memory, from the start); returns the final state (epoch = steps done) and
   * the last reported mean loss.
   */
  Result run(Path dir) {
    PretrainSettings settings = config.pretraining();
    int steps = settings.steps();
    long seed = settings.seed();
    int every = settings.checkpointEvery();
    double peak = settings.learningRate();
    double weightDecay = settings.weightDecay();
    int warmup = settings.warmupSteps();
    LearningRateSchedule schedule = LearningRateSchedule.parse(settings.schedule());
    double emaDecay = settings.emaDecay();
    FlowMatchingPretrainer trainer = new FlowMatchingPretrainer(network, settings.batchSize(), settings.promptDropout());
    TrainingState state = dir == null ? TrainingState.fromBase(initialWeights(seed)) : resumeOrStart(dir, seed);
    int reportEvery = Math.max(1, Math.min(50, steps / 100));
    double window = 0;
    int count = 0;
    double lastLoss = Double.NaN;
    long t0 = System.nanoTime();
    int first = state.epoch() + 1;
    if (first <= steps) {
      out.printf("pretrain %s: %d parameters, steps %d..%d of %d, batch %d, %s%n", network.architecture(),
          state.theta().size(), first, steps, steps, settings.batchSize(), dir == null ? "in memory" : "state in " + dir);
    }
    ParameterSet theta = state.theta();
    ParameterSet ema = state.ema();
    Optimizer.State adam = state.optimizer();
    int retries = 0;
    for (int step = first; step <= steps; step++) {
      AdamW optimizer = AdamW.of(schedule.at(peak, warmup, steps, step), weightDecay);
      FlowMatchingPretrainer.StepOutcome outcome = trainer.step(theta, adam, data, Noise.seed(seed, step), optimizer);
      if (!Double.isFinite(outcome.loss())) {
        // Seen twice in 9000 steps at random points (steps 66 and 7042) and never on a rerun of the
        // same steps: go back to the last checkpoint (or the start) and redo them, a few times at most.
        if (++retries > MAX_RETRIES) {
          throw new IllegalStateException("pretraining diverged at step " + step + " (loss " + outcome.loss() + ") "
              + MAX_RETRIES + " times after going back to the last checkpoint; lower pretrain_learning_rate");
        }
        TrainingState last = dir != null && Files.isDirectory(dir.resolve(STATE))
            ? Checkpoint.decodeTraining(Checkpoint.readDirectory(dir.resolve(STATE)), dir.resolve(STATE).toString())
            : TrainingState.fromBase(initialWeights(seed));
        out.printf("pretrain: non-finite loss at step %d; redoing the steps after step %d (retry %d of %d)%n", step, last.epoch(),
            retries, MAX_RETRIES);
        theta = last.theta();
        ema = last.ema();
        adam = last.optimizer();
        step = last.epoch();
        window = 0;
        count = 0;
        continue;
      }
      adam = outcome.state();
      updateEma(ema, theta, Math.min(emaDecay, (1.0 + step) / (10.0 + step)));
      window += outcome.loss();
      count++;
      if (step % reportEvery == 0 || step == steps) {
        lastLoss = window / count;
        double perStep = (System.nanoTime() - t0) / 1e9 / (step - first + 1);
        out.printf("pretrain step %d/%d  loss %.4f  lr %.2e  %.3fs/step  eta %.1f min%n", step, steps, lastLoss,
            schedule.at(peak, warmup, steps, step), perStep, perStep * (steps - step) / 60);
        window = 0;
        count = 0;
      }
      if (dir != null && (step % every == 0 || step == steps)) {
        state = new TrainingState(step, theta, ema, adam);
        save(dir, state, lastLoss);
      }
    }
    return new Result(new TrainingState(Math.max(state.epoch(), steps), theta, ema, adam), first - 1,
        dir == null ? lastLoss : readLoss(dir, lastLoss));
  }

  /**
   * The final state (its epoch is the steps done), the step this run resumed after (0: it started
   * from the initial weights), and the mean loss of the last reported window.
   */
  record Result(TrainingState state, int resumedAfter, double finalLoss) {}

  private TrainingState resumeOrStart(Path dir, long seed) {
    Path settingsFile = dir.resolve(SETTINGS);
    String settings = settings();
    try {
      if (Files.isDirectory(dir.resolve(STATE))) {
        String previous = Files.readString(settingsFile, StandardCharsets.UTF_8);
        if (!previous.equals(settings)) {
          throw new ConfigException(dir + " holds a pretraining with other settings (" + previous.strip()
              + "); only pretrain_steps may change on resume: use another pretrain_dir");
        }
        TrainingState state = Checkpoint.decodeTraining(Checkpoint.readDirectory(dir.resolve(STATE)), dir.resolve(STATE).toString());
        out.printf("pretrain: resuming %s after step %d%n", dir, state.epoch());
        return state;
      }
      Files.createDirectories(dir);
      RunDirectory.writeAtomically(settingsFile, settings);
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
    }
    return TrainingState.fromBase(initialWeights(seed));
  }

  /**
   * A random initialisation, or the weights of {@code pretrain_init} (continued pretraining). A
   * checkpoint of a smaller architecture whose parameters are all present here with the same shapes
   * is grown: the parameters it lacks start at zero, which for a table added to a sum (the word
   * identities) leaves the network's function unchanged. With {@code pretrain_init_only}, only the
   * parameters under those name prefixes are taken (a trained text encoder for a new architecture)
   * and the rest start at the network's initialization.
   */
  private ParameterSet initialWeights(long seed) {
    if (config.pretraining().init() == null) {
      return network.initialize(seed);
    }
    Path init = RunConfig.resolve(config.pretraining().init(), home);
    if (!Files.isDirectory(init)) {
      throw new ConfigException("pretrain_init " + init + " does not exist; first pretrain the config whose base_checkpoint it is "
          + "(the base's chain is in configs/pretrain/)");
    }
    ImageModels.Loaded loaded = ImageModels.load(init);
    ParameterSet theta = loaded.theta();
    if (config.pretraining().initOnly() != null) {
      List<String> prefixes = List.of(config.pretraining().initOnly().split("\\s*,\\s*"));
      theta = theta.restrictedTo(prefixes);
      if (theta.size() == 0) {
        throw new ConfigException("pretrain_init_only " + prefixes + ": no parameter of " + init + " starts with any of these");
      }
      out.printf("pretrain: taking the %s parameters of %s (%d values)%n", prefixes, init, theta.size());
    } else if (loaded.network().architecture().equals(network.architecture())) {
      out.printf("pretrain: continuing from the weights of %s%n", init);
      return theta;
    }
    ParameterSet weights;
    try {
      weights = theta.grownInto(network.initialize(seed));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("pretrain_init " + init + " holds a " + loaded.network().architecture()
          + " model; this pretraining is a " + network.architecture() + ", which has " + e.getMessage());
    }
    List<String> added = new ArrayList<>(weights.names());
    added.removeAll(theta.names());
    out.printf("pretrain: growing the %s weights of %s into a %s; new parameters start at their initialization%s: %s%n",
        loaded.network().architecture(), init, network.architecture(),
        config.pretraining().initOnly() != null ? "" : ", with no effect",
        added.size() <= 12 ? added : added.size() + " arrays (" + added.get(0) + " ... " + added.get(added.size() - 1) + ")");
    return weights;
  }

  private String settings() {
    Map<String, Object> s = new TreeMap<>();
    for (String k : SETTINGS_KEYS) {
      s.put(k, String.valueOf(config.resolvedValues().get(k)));
    }
    for (String k : OPTIONAL_SETTINGS_KEYS) {
      if (config.has(k)) {
        s.put(k, String.valueOf(config.values().get(k)));
      }
    }
    return new com.google.gson.Gson().toJson(s) + "\n";
  }

  private void save(Path dir, TrainingState state, double loss) {
    Checkpoint.writeDirectory(dir.resolve(STATE), Checkpoint.encodeTraining(state, network.architecture(), "pretrain-step-" + state.epoch()));
    RunDirectory.writeAtomically(dir.resolve("loss.txt"), state.epoch() + " " + loss + "\n");
  }

  private static double readLoss(Path dir, double fallback) {
    try {
      String[] parts = Files.readString(dir.resolve("loss.txt"), StandardCharsets.UTF_8).strip().split(" ");
      return Double.parseDouble(parts[1]);
    } catch (IOException | RuntimeException e) {
      return fallback;
    }
  }

  /** {@code ema <- d ema + (1 - d) theta}, in place. */
  static void updateEma(ParameterSet ema, ParameterSet theta, double decay) {
    for (String name : ema.names()) {
      float[] e = ema.get(name);
      float[] t = theta.get(name);
      for (int i = 0; i < e.length; i++) {
        e[i] = (float) (decay * e[i] + (1 - decay) * t[i]);
      }
    }
  }
}
