package ram.runners.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

import ram.config.ConfigException;
import ram.config.ModelSettings;
import ram.config.RunConfig;
import ram.model.Checkpoint;
import ram.model.LoraNetwork;
import ram.model.Noise;
import ram.model.torchscript.TorchScriptSpec;
import ram.pipelines.EvaluatePipeline;
import ram.pipelines.PromptSets;
import ram.rewards.Reward;
import ram.rewards.RewardInput;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardSettings;
import ram.rewards.RewardResult;
import ram.rewards.geneval.GenEvalPrompt;
import ram.rewards.geneval.ShapeClass;
import ram.rewards.geneval.ShapeRenderer;
import ram.rewards.image.Canvas;
import ram.rewards.image.ImageTensors;
import ram.rewards.ocr.OcrPrompt;
import ram.rewards.ocr.TextRenderer;
import ram.runners.cluster.Runners;
import ram.runners.report.EvaluationResults;
import ram.runners.report.ImageGrid;
import ram.runners.store.OwnedDirectory;
import ram.runners.store.StagedOutput;
import ram.schemas.Prompt;
import ram.schemas.Sample;
import ram.transforms.EpochSpec;
import ram.transforms.SafeNames;
import ram.transforms.Tensors;
import ram.transforms.TunedModel;

/**
 * The held-out evaluation of {@code ram evaluate}: samples held-out prompt sets with fixed seeds
 * in one Beam pipeline, scores them, and prints {@code RESULT} lines (each reward's mean, GenEval
 * strict accuracy overall and per tag, diversity, drift from the base). A run's checkpoint is
 * evaluated with the training config read from beside it, as in the reference. Each set becomes a
 * unit of the store ({@code samples/}, {@code rewards/}, {@code base-samples/}) under the output
 * directory, with {@code results.json}, a grid of the first images, and for the two synthetic
 * worlds the score of ground-truth renders of the same prompts (the ceiling).
 */
public final class Evaluation {

  private static final int GRID = 16;
  private static final int[] IMAGE = {3, Canvas.SIZE, Canvas.SIZE};

  private Evaluation() {}

  /** What is evaluated: a checkpoint, the config it was trained with, and where results go by default. */
  public record Target(Path checkpoint, RunConfig config, int epoch, boolean isBase, String label) {

    /** The base checkpoint of {@code config} ({@code base_checkpoint}, relative to {@code home}). */
    public static Target base(RunConfig config, Path home) {
      return new Target(RunConfig.resolve(config.model().baseCheckpoint(), home), config, 0, true,
          config.name().equals("base") ? "base" : config.name() + "-base");
    }
  }

  /**
   * Evaluates {@code target} on the prompt sets named in {@code promptSets} (comma-separated names
   * in prompts/ or .jsonl files; null: the config's task) with the rewards named in {@code rewards}
   * (null: the run's); writes into {@code outDir} (null: outputs/eval/<label> under {@code home}).
   */
  public static void run(Target target, String promptSets, String rewardNames, Path outDir, Path home, PrintStream out) {
    RunConfig config = withStoreDefaults(target.config(), home);
    Runners.selectDevice(config);
    Runners.configureEngineThreadsUnlessSet(config.runtime().parallelism());
    int perPrompt = config.evaluation().imagesPerPrompt();
    int images = config.evaluation().samples();
    if (images == 0) {
      throw new ConfigException("evaluate: eval_samples is 0; pass --eval_samples N");
    }
    int steps = config.evaluation().steps();
    long seed = config.evaluation().seed();
    ModelSettings model = config.model().resolvedAgainst(home);
    Path base = Path.of(model.base());
    JsonObject manifest = Checkpoint.verifyWeights(Checkpoint.readDirectory(target.checkpoint()), target.checkpoint().toString());
    String architecture = manifest.get("architecture").getAsString();
    LoraNetwork.Config lora = target.isBase() ? null : TrainDriver.lora(config);
    String baseArchitecture = target.isBase() ? architecture : config.model().architecture();
    if (!target.isBase()) {
      try {
        TunedModel tuned = TunedModel.of(model, lora, 0);
        tuned.requireTrainedAsThis(manifest, target.checkpoint().toString());
        tuned.start(); // the base must be weights of this network: refused here, before any pipeline starts
      } catch (IllegalArgumentException e) {
        throw new ConfigException(e.getMessage() + " (its run's config is the one beside it)");
      }
    }
    if (outDir == null) {
      outDir = home.resolve("outputs/eval").resolve(target.label());
    }

    Map<String, List<Prompt>> sets = promptSets(promptSets, config, home, (images + perPrompt - 1) / perPrompt);
    Map<String, Map<String, Double>> rewardsBySet = new LinkedHashMap<>();
    for (String set : sets.keySet()) {
      rewardsBySet.put(set, rewardsFor(set, rewardNames, config));
    }
    out.printf("evaluate %s (%s, epoch %d) on %s: %d images per prompt, %d steps, cfg %.2f, shift %.2f, seed %d%n",
        target.checkpoint(), architecture, target.epoch(), sets.keySet(), perPrompt, steps, config.sampling().cfgScale(),
        config.sampling().timeShift(), seed);

    Map<String, Double> results = new TreeMap<>();
    try (StagedOutput output = StagedOutput.open(outDir, OwnedDirectory.Kind.EVALUATION, "evaluate", "--out")) {
      Path partial = output.staging();
      long t0 = System.nanoTime();
      Pipeline p = Pipeline.create(Runners.options(config, "ram-evaluate", null));
      for (Map.Entry<String, List<Prompt>> set : sets.entrySet()) {
        Map<String, Double> rewards = rewardsBySet.get(set.getKey());
        String checkpoint = target.isBase() ? null : target.checkpoint().toString();
        String baseDir = target.isBase() ? target.checkpoint().toString() : base.toString();
        String initWeights = target.isBase() ? null : model.initWeights();
        TorchScriptSpec torchscript = target.isBase() ? null : model.torchscript();
        EpochSpec spec = EpochSpec.forSampling(seed, baseArchitecture, checkpoint, baseDir, lora, initWeights, torchscript, perPrompt, steps,
            config.sampling().cfgScale(), config.sampling().timeShift(), rewards, config.rewardSettings(home));
        EpochSpec baseSpec = target.isBase() ? null : EpochSpec.forSampling(seed, baseArchitecture, null, base.toString(), null,
            initWeights, torchscript, perPrompt, steps, config.sampling().cfgScale(), config.sampling().timeShift(), rewards,
            config.rewardSettings(home));
        EvaluatePipeline.build(p, set.getKey(), set.getValue(), spec, target.epoch(), baseSpec, partial.resolve(set.getKey()).toString(),
            Runners.groupKeys(config));
      }
      PipelineResult.State state = Runners.runToEnd(p);
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException("the evaluation pipeline ended in state " + state);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      int total = 0;
      for (String set : sets.keySet()) {
        Path unit = partial.resolve(set);
        Map<String, Sample> samples = EvaluationResults.read(unit.resolve("samples"));
        results.putAll(EvaluationResults.of(set, unit, samples));
        total += samples.size();
        List<float[]> first = new ArrayList<>();
        int[] shape = null;
        for (Sample s : samples.values()) {
          if (s.getGroupIndex() == 0 && first.size() < GRID) {
            first.add(Tensors.values(Tensors.image(s)));
            shape = Tensors.shape(Tensors.image(s));
          }
        }
        if (shape != null && shape.length == 3) {
          ImageGrid.write(partial.resolve(set + ".png"), first, shape, 4, 4);
          groundTruth(set, sets.get(set), rewardsBySet.get(set), config.rewardSettings(home), seed, partial, results);
        }
      }
      results.put("eval_seconds", seconds);
      results.put("eval_images_per_second", total / seconds);
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("checkpoint", target.checkpoint().toString());
      record.put("epoch", target.epoch());
      record.put("prompt_sets", new ArrayList<>(sets.keySet()));
      record.put("rewards", rewardsBySet);
      record.put("resolved_config", config.values());
      record.put("results", results);
      RunDirectory.writeAtomically(partial.resolve("results.json"),
          new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(record) + "\n");
      output.publish();
    }
    results.forEach((k, v) -> out.printf("RESULT %s=%.4f%n", k, v));
    out.println("wrote " + outDir + " (samples, rewards, results.json, grids)");
  }

  /**
   * A run's checkpoint ({@code <run>/latest}, an epoch directory or a checkpoint directory) with the
   * training config beside it, {@code overrides} applied.
   */
  public static Target ofCheckpoint(Path checkpoint, Map<String, String> overrides) {
    Path p = checkpoint.toAbsolutePath().normalize();
    if (Files.isRegularFile(p) && p.getFileName().toString().equals("latest")) {
      int epoch = new RunDirectory(p.getParent()).latestEpoch();
      if (epoch == 0) {
        throw new ConfigException(p + ": the run has no published epoch yet");
      }
      p = new RunDirectory(p.getParent()).checkpoint(epoch);
    } else if (Files.isDirectory(p.resolve("checkpoint"))) {
      p = p.resolve("checkpoint");
    }
    if (!Files.isRegularFile(p.resolve("manifest.json"))) {
      throw new ConfigException(p + ": not a checkpoint (no manifest.json); expected <run>/latest, an epoch directory or a checkpoint directory");
    }
    Path configFile = null;
    for (Path d = p.getParent(); d != null && configFile == null && d.getNameCount() >= p.getNameCount() - 3; d = d.getParent()) {
      if (Files.isRegularFile(d.resolve("config.yaml"))) {
        configFile = d.resolve("config.yaml");
      }
    }
    if (configFile == null) {
      throw new ConfigException(p + ": no config.yaml beside the checkpoint (looked in its run directory); "
          + "evaluate reads the training config from <run>/config.yaml");
    }
    Path epochDir = p.getParent();
    int epoch = epochDir.getFileName().toString().matches("\\d{6}") ? Integer.parseInt(epochDir.getFileName().toString()) : 0;
    RunConfig config = RunConfig.load(configFile, overrides);
    String run = configFile.getParent().getFileName().toString();
    return new Target(p, config, epoch, false, String.format("%s-%06d", run, epoch));
  }

  /** The config with the evaluation and runner defaults of configs/store.yaml for keys it lacks. */
  private static RunConfig withStoreDefaults(RunConfig config, Path home) {
    RunConfig store = RunConfig.load(home.resolve("configs/store.yaml"), Map.of());
    RunConfig merged = config;
    for (Map.Entry<String, Object> e : store.values().entrySet()) {
      if (!merged.has(e.getKey())) {
        merged = merged.with(e.getKey(), e.getValue());
      }
    }
    return merged;
  }

  /** Held-out prompts of each set, {@code count} of them in file order (cycling if the file is shorter). */
  private static Map<String, List<Prompt>> promptSets(String option, RunConfig config, Path home, int count) {
    List<String> names = new ArrayList<>();
    if (option != null) {
      names.addAll(List.of(option.split(",")));
    } else if (config.taskName().equals("mixture")) {
      names.addAll(List.of("geneval", "ocr"));
    } else {
      names.add(config.taskName());
    }
    Map<String, List<Prompt>> sets = new LinkedHashMap<>();
    Map<String, Path> fileOfSet = new LinkedHashMap<>();
    for (String name : names) {
      boolean isFile = name.endsWith(".jsonl");
      if (!isFile && SafeNames.problem(name) != null) {
        throw new ConfigException("evaluate: --prompts: prompt set '" + SafeNames.shown(name) + "' " + SafeNames.problem(name)
            + "; expected a name in prompts/ or a .jsonl file");
      }
      Path file = isFile ? Path.of(name) : home.resolve("prompts").resolve(name).resolve("test.jsonl");
      if (!isFile && !Files.exists(file)) {
        file = home.resolve("prompts").resolve(name).resolve("train.jsonl");
      }
      String shownFile = SafeNames.escape(file.toString());
      if (!Files.isRegularFile(file)) {
        throw new ConfigException("evaluate: --prompts " + SafeNames.escape(name) + ": no prompt file " + shownFile);
      }
      String set = isFile ? file.getFileName().toString().replaceFirst("\\.jsonl$", "") : name;
      if (SafeNames.problem(set) != null) {
        throw new ConfigException("evaluate: --prompts " + shownFile + ": the prompt set name '" + SafeNames.shown(set) + "' "
            + SafeNames.problem(set) + "; the file name without .jsonl names the set's output directory");
      }
      if (set.endsWith(".png") || set.endsWith(".json")) {
        throw new ConfigException("evaluate: --prompts " + shownFile + ": the prompt set name '" + SafeNames.shown(set)
            + "' ends in .png or .json, as the evaluation's own files (<set>.png, results.json) do; rename the file");
      }
      Path earlier = fileOfSet.putIfAbsent(set, file);
      if (earlier != null) {
        throw new ConfigException("evaluate: --prompts " + shownFile + ": a prompt set named '" + SafeNames.shown(set)
            + "' is given twice (also " + SafeNames.escape(earlier.toString()) + "); each set needs its own output directory");
      }
      List<Prompt> all = PromptSets.load(file);
      List<Prompt> chosen = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        chosen.add(all.get(i % all.size()));
      }
      sets.put(set, chosen);
    }
    return sets;
  }

  /** {@code --rewards} if given; else the run's {@code eval_rewards} or rewards; else (a base model) the reward named like the set. */
  private static Map<String, Double> rewardsFor(String set, String option, RunConfig config) {
    Map<String, Double> out = new TreeMap<>();
    if (option != null) {
      for (String r : option.split(",")) {
        if (!RewardRegistry.names().contains(r)) {
          throw new ConfigException("evaluate: --rewards: " + RewardRegistry.unknown(r));
        }
        out.put(r, 1.0);
      }
    } else if (config.evaluation().rewards() != null) {
      out.putAll(config.evaluation().rewards());
    } else if (RewardRegistry.names().contains(set)) {
      out.put(set, 1.0);
    } else {
      throw new ConfigException("evaluate: no reward for prompt set '" + set + "'; pass --rewards NAME");
    }
    return out;
  }

  /** For the two synthetic worlds: the same prompts rendered exactly, scored the same way (the ceiling). */
  private static void groundTruth(String set, List<Prompt> prompts, Map<String, Double> rewards, RewardSettings settings, long seed, Path dir,
      Map<String, Double> results) {
    if (!set.equals("geneval") && !set.equals("ocr")) {
      return;
    }
    List<RewardInput> inputs = new ArrayList<>();
    List<float[]> first = new ArrayList<>();
    ShapeRenderer shapes = new ShapeRenderer();
    TextRenderer texts = new TextRenderer();
    for (int i = 0; i < prompts.size(); i++) {
      Prompt p = prompts.get(i);
      Random random = new Random(Noise.seed(seed, 3, i));
      String where = set + " prompt " + p.getPromptId();
      float[] image = set.equals("geneval")
          ? ImageTensors.toTensor(shapes.render(GenEvalPrompt.parse(p.getMetadataJson(), ShapeClass.words(), where), random))
          : ImageTensors.toTensor(texts.render(OcrPrompt.parse(p.getMetadataJson(), where).text(), random));
      inputs.add(new RewardInput("truth-" + i, image, IMAGE, p.getText(), p.getMetadataJson()));
      if (first.size() < GRID) {
        first.add(image);
      }
    }
    ImageGrid.write(dir.resolve(set + "_truth.png"), first, IMAGE, 4, 4);
    for (String name : rewards.keySet()) {
      try (Reward reward = RewardRegistry.create(name, settings)) {
        double sum = 0;
        for (RewardResult r : reward.score(inputs)) {
          sum += r.ok() ? r.value() : 0;
        }
        results.put("truth_" + EvaluationResults.key(set, name) + "_mean", sum / inputs.size());
      }
    }
  }
}
