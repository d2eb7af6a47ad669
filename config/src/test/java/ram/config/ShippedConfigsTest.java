package ram.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.AdvantageMode;
import ram.model.LaggedPolicy;
import ram.model.OdeSampler;
import ram.model.TimeSampler;

/**
 * The YAML files of {@code configs/} and {@code configs/pretrain/}: each loads; each holds only the
 * keys whose values differ from what it would have anyway (the default, or what it extends), so a
 * file says what its run chooses and nothing else; and they resolve to the values the README's and
 * docs/research's results were measured with.
 */
class ShippedConfigsTest {

  static final Path REPO = Path.of(System.getProperty("ram.repo", "..")).toAbsolutePath().normalize();
  static final Path CONFIGS = REPO.resolve("configs");

  /** Every {@code *.yaml} under {@code dir}, sorted. */
  static List<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  static RunConfig load(String relative) {
    return RunConfig.load(CONFIGS.resolve(relative + ".yaml"), Map.of());
  }

  @Test
  void everyShippedConfigLoadsUnderItsNameAndOpensWithAHeaderComment() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path file : yamlFiles(CONFIGS)) {
      RunConfig config = RunConfig.load(file, Map.of());
      assertEquals(file.getFileName().toString().replace(".yaml", ""), config.name());
      assertTrue(Files.readString(file).startsWith("# "), file + ": a config opens with a comment saying what it is");
      names.add(config.name());
    }
    assertTrue(names.containsAll(List.of("compressibility", "geneval", "geneval_grpo", "ocr", "ocr_grpo", "store", "toy2d",
        "toy2d_tutorial", "base", "base_letters", "base_stage1", "base_stage2", "base_stage3", "base_unet")), names.toString());
  }

  @Test
  void noConfigSetsAKeyToTheValueItWouldHaveAnyway(@TempDir Path tmp) throws IOException {
    Path copy = tmp.resolve("configs");
    for (Path file : yamlFiles(CONFIGS)) {
      Path target = copy.resolve(CONFIGS.relativize(file).toString());
      Files.createDirectories(target.getParent());
      Files.copy(file, target);
    }
    assertEquals(List.of(), redundantKeys(copy), "keys of configs/ set to the value they have anyway (the default, or what the "
        + "config extends); remove them");
  }

  @Test
  void theCheckNamesARestatedKeyButKeepsOneThatAConfigExtendingItNeeds(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("parent.yaml"), "task: toy2d\nrewards: {toy2d: 1.0}\nepochs: 20\nsample_steps: 10\n"
        + "eval_steps: 10\nlearning_rate: 1.0e-4\n");
    Files.writeString(dir.resolve("child.yaml"), "extends: parent\nseed: 42\nsample_steps: 5\nlearning_rate: 1.0e-4\n");
    assertEquals(List.of("child.yaml: seed = 42", "child.yaml: learning_rate = 1.0E-4", "parent.yaml: epochs = 20"), redundantKeys(dir),
        "epochs and seed are at their defaults, the child restates the parent's learning_rate; the parent's eval_steps equals its "
            + "sample_steps but keeps the child's evaluation at 10 steps");
  }

  /**
   * The keys of the YAML files under {@code dir} whose values the configs have anyway: each key of
   * each file is taken out in turn, and if the file and every config that extends it still resolve
   * to the same values, it is named ({@code file: key = value}). The files are restored.
   */
  static List<String> redundantKeys(Path dir) throws IOException {
    Map<Path, Map<String, Object>> resolved = new LinkedHashMap<>();
    Map<Path, Path> parentOf = new LinkedHashMap<>();
    for (Path file : yamlFiles(dir)) {
      resolved.put(file, RunConfig.load(file, Map.of()).resolvedValues());
      Object parent = RunConfig.parseYaml(file).get(RunConfig.EXTENDS);
      if (parent != null) {
        parentOf.put(file, file.resolveSibling(parent + ".yaml").normalize());
      }
    }
    List<String> redundant = new ArrayList<>();
    for (Path file : resolved.keySet()) {
      List<Path> affected = new ArrayList<>(List.of(file));
      for (Path other : resolved.keySet()) {
        for (Path p = parentOf.get(other); p != null; p = parentOf.get(p)) {
          if (p.equals(file)) {
            affected.add(other);
            break;
          }
        }
      }
      String text = Files.readString(file);
      Map<String, Object> own = RunConfig.parseYaml(file);
      for (String key : own.keySet()) {
        if (key.equals(RunConfig.EXTENDS)) {
          continue;
        }
        Map<String, Object> without = new LinkedHashMap<>(own);
        without.remove(key);
        Files.writeString(file, ConfigYaml.dumper().dump(without));
        boolean changes = false;
        for (Path a : affected) {
          changes |= !RunConfig.load(a, Map.of()).resolvedValues().equals(resolved.get(a));
        }
        if (!changes) {
          redundant.add(dir.relativize(file) + ": " + key + " = " + RunConfig.check(key, key, own.get(key)));
        }
      }
      Files.writeString(file, text);
    }
    return redundant;
  }

  /** Written by hand from the configs the README's and docs/research's GenEval runs used. */
  @Test
  void genevalResolvesToTheRecipeItsResultsWereMeasuredWith() {
    RunConfig geneval = load("geneval");
    assertEquals(new TaskSettings("geneval", "prompts/geneval/train.jsonl", new TreeMap<>(Map.of("geneval", 1.0)), 0.5),
        geneval.task());
    assertEquals(42, geneval.seed());
    assertEquals(new ModelSettings("unet-32px-c32-d128-t2-wi-la", "models/base", null, null, null), geneval.model());
    assertNull(geneval.finetune().loraConfig(), "full fine-tuning");
    assertEquals(new ScheduleSettings("ram", 20, 8, 8, 1, 2), geneval.schedule());
    assertEquals(new RamSettings(4, TimeSampler.SQRT_UNIFORM, 100.0, AdvantageMode.GROUP_NORMALIZED, LaggedPolicy.EMA), geneval.ram());
    assertEquals(new OptimizerSettings(3.0e-5, 0.0, 0.9, 0.999, 1.0e-8), geneval.optimizer());
    assertEquals(new SamplingSettings(25, OdeSampler.Method.EULER, 3.0, 2.0), geneval.sampling());
    assertEquals(new EvaluationSettings(64, 25, 12345, "prompts/geneval/test.jsonl", 2, 10, new TreeMap<>(Map.of("geneval", 1.0))),
        geneval.evaluation());
    assertEquals(new RuntimeSettings("auto", "flink", "[local]", 2, "outputs/geneval", List.of()), geneval.runtime());

    RunConfig compressibility = load("compressibility");
    assertEquals(new TaskSettings("geneval", "prompts/geneval/train.jsonl", new TreeMap<>(Map.of("compressibility", 1.0)), 0.5),
        compressibility.task());
    assertEquals(new ScheduleSettings("ram", 30, 8, 8, 1, 2), compressibility.schedule());
    assertEquals(geneval.ram(), compressibility.ram());
    assertEquals(geneval.optimizer(), compressibility.optimizer());
    assertEquals(geneval.sampling(), compressibility.sampling());
    assertEquals(new EvaluationSettings(64, 25, 12345, "prompts/geneval/test.jsonl", 2, 10,
        new TreeMap<>(Map.of("compressibility", 1.0, "geneval", 1.0))), compressibility.evaluation());
  }

  @Test
  void ocrResolvesToTheRecipeItsResultsWereMeasuredWith() {
    RunConfig ocr = load("ocr");
    assertEquals(new TaskSettings("ocr", "prompts/ocr/train.jsonl", new TreeMap<>(Map.of("ocr", 1.0)), 0.5), ocr.task());
    assertEquals(new ModelSettings("unet-32px-c32-d128-t2-wi-la", "models/base", null, null, null), ocr.model());
    assertEquals(new ScheduleSettings("ram", 30, 8, 8, 1, 2), ocr.schedule());
    assertEquals(new RamSettings(4, TimeSampler.SQRT_UNIFORM, 100.0, AdvantageMode.GROUP_NORMALIZED, LaggedPolicy.EMA), ocr.ram());
    assertEquals(new OptimizerSettings(3.0e-5, 0.0, 0.9, 0.999, 1.0e-8), ocr.optimizer());
    assertEquals(new SamplingSettings(25, OdeSampler.Method.EULER, 3.0, 2.0), ocr.sampling());
    assertEquals(new EvaluationSettings(64, 25, 12345, "prompts/ocr/test.jsonl", 2, 10, new TreeMap<>(Map.of("ocr", 1.0))),
        ocr.evaluation());
  }

  /** The Flow-GRPO twins share what `./ram compare` requires and keep the reference's Flow-GRPO settings. */
  @Test
  void theFlowGrpoTwinsResolveToTheBaselineOfTheComparison() {
    for (String task : List.of("geneval", "ocr")) {
      RunConfig ram = load(task);
      RunConfig grpo = load(task + "_grpo");
      assertTrue(grpo.flowGrpo(), task);
      assertEquals(new ScheduleSettings("flow_grpo", 15, 8, 8, 2, 2), grpo.schedule(), task);
      assertEquals(new FlowGrpoSettings(0.7, 9, 1.0e-4, 0.04, 1.0, 5.0), grpo.flowGrpoSettings(), task);
      assertEquals(new OptimizerSettings(3.0e-5, 1.0e-4, 0.9, 0.999, 1.0e-8), grpo.optimizer(), task);
      assertEquals(new SamplingSettings(10, OdeSampler.Method.EULER, 3.0, 2.0), grpo.sampling(), task);
      assertEquals(new EvaluationSettings(64, 25, 12345, "prompts/" + task + "/test.jsonl", 2, 5, new TreeMap<>(Map.of(task, 1.0))),
          grpo.evaluation(), task);
      assertEquals(ram.task(), grpo.task(), task);
      assertEquals(ram.model(), grpo.model(), task);
      assertEquals(ram.seed(), grpo.seed(), task);
      assertEquals("outputs/" + task + "_grpo", grpo.runtime().outputDir(), task);
    }
  }

  /** The README's 2-D benchmark: 20 epochs of 30 x 32 endpoints in 5 steps; the tutorial's shape in 30 steps of 32. */
  @Test
  void toy2dResolvesToTheTutorialSettings() {
    RunConfig toy = load("toy2d");
    assertEquals(new TaskSettings("toy2d", "prompts/toy2d/train.jsonl", new TreeMap<>(Map.of("toy2d", 1.0)), 0.5), toy.task());
    assertEquals(42, toy.seed());
    assertEquals(new ModelSettings("toy-mlp-2d-128x3", "models/toy2d/base", null, null, null), toy.model());
    assertEquals(new ScheduleSettings("ram", 20, 30, 32, 5, 1), toy.schedule());
    assertEquals(new RamSettings(4, TimeSampler.UNIFORM, 5.0, AdvantageMode.RAW_REWARD, LaggedPolicy.CURRENT), toy.ram());
    assertEquals(new OptimizerSettings(6.0e-4, 0.0, 0.9, 0.999, 1.0e-8), toy.optimizer());
    assertEquals(new SamplingSettings(25, OdeSampler.Method.EULER, 1.0, 1.0), toy.sampling());
    assertEquals(new EvaluationSettings(3000, 50, 12345, null, 2, 5, new TreeMap<>(Map.of("toy2d", 1.0))), toy.evaluation());
    PretrainSettings pretrain = toy.pretraining();
    assertEquals(List.of(5000, 256, 1.0e-3, 0L), List.of(pretrain.steps(), pretrain.batchSize(), pretrain.learningRate(), pretrain.seed()));
    // the tutorial's plain Adam, which made models/toy2d/base: no warm-up, a constant rate, the last step's weights
    assertEquals(List.of(0, "constant", 0.0, 0.0), List.of(pretrain.warmupSteps(), pretrain.schedule(), pretrain.emaDecay(),
        pretrain.weightDecay()));
    assertEquals(new RuntimeSettings("auto", "flink", "[local]", 2, "outputs/toy2d", List.of()), toy.runtime());

    RunConfig tutorial = load("toy2d_tutorial");
    assertEquals(new ScheduleSettings("ram", 20, 30, 32, 30, 1), tutorial.schedule());
    assertEquals(new OptimizerSettings(1.0e-4, 0.0, 0.9, 0.999, 1.0e-8), tutorial.optimizer());
    assertEquals(toy.ram(), tutorial.ram());
    assertEquals(toy.model(), tutorial.model());
    assertEquals(toy.evaluation(), tutorial.evaluation());
  }

  /** The shipped base: the chain's last stage, and the sampler its evaluation (README, docs/model.md) uses. */
  @Test
  void theShippedBaseResolvesToTheRunThatMadeIt() {
    RunConfig base = load("pretrain/base");
    assertEquals("mixture", base.taskName());
    assertEquals(new ModelSettings("unet-32px-c32-d128-t2-wi-la", "models/base", null, null, null), base.model());
    assertEquals(new PretrainSettings(7250, 32, 3.0e-4, 6, 0.0, 100, "cosine", 0.1, 0.999, 0.3, "fresh", 250, "outputs/base-letters", null,
        "outputs/pretrain-base-la"), base.pretraining());
    assertEquals(new SamplingSettings(25, OdeSampler.Method.EULER, 3.0, 2.0), base.sampling());
    assertEquals(List.of(200, 25, 12345L), List.of(base.evaluation().samples(), base.evaluation().steps(), base.evaluation().seed()));

    RunConfig store = load("store");
    assertEquals(new RuntimeSettings("auto", "flink", "[local]", 2, "outputs/store", List.of()), store.runtime());
  }
}
