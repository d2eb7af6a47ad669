package ram.runners.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import ram.config.ConfigException;
import ram.config.ConfigLimits;
import ram.config.RunConfig;
import ram.runners.cluster.Runners;
import ram.runners.report.ComparisonReport;
import ram.transforms.algorithm.flowgrpo.FlowGrpoAlgorithm;
import ram.transforms.algorithm.ram.RamAlgorithm;

/**
 * {@code ./ram compare <task>}: trains RAM ({@code configs/<task>.yaml}) and Flow-GRPO
 * ({@code configs/<task>_grpo.yaml}) from the same base with the same budget of optimizer steps,
 * evaluates both on the same held-out prompts and noise every few steps, and writes
 * {@code comparison.html} and {@code comparison.png}. Both runs are ordinary run directories, so
 * rerunning the command resumes whichever is unfinished.
 */
public final class CompareRuns {

  /** Keys the two configs must share: everything but the algorithm and its own settings. */
  static final List<String> SHARED = List.of("task", "prompts", "model", "base_checkpoint", "finetune", "lora_rank", "lora_alpha",
      "lora_targets", "rewards", "seed", "prompts_per_epoch", "images_per_prompt", "cfg_scale", "time_shift", "eval_prompts",
      "eval_samples", "eval_steps", "eval_seed");

  private CompareRuns() {}

  /**
   * Compares RAM ({@code ram}, the config {@code <task>}) with Flow-GRPO ({@code grpo}, the config
   * {@code <task>_grpo}) with {@code overrides} applied to both (but {@code epochs}, which sets RAM's
   * budget), evaluating both every {@code evalEvery} optimizer steps; writes into {@code dir}.
   */
  public static void run(String task, RunConfig ram, RunConfig grpo, Map<String, String> overrides, int evalEvery, Path dir, Path home,
      PrintStream out) {
    for (Map.Entry<String, String> o : overrides.entrySet()) {
      ram = ram.withOverride(o.getKey(), o.getValue());
      if (!o.getKey().equals("epochs")) { // Flow-GRPO's epochs follow from RAM's budget of optimizer steps
        grpo = grpo.withOverride(o.getKey(), o.getValue());
      }
    }
    ConfigLimits.requireFits(ram);
    ConfigLimits.requireFits(grpo);
    if (!TrainDriver.algorithmName(ram).equals(RamAlgorithm.NAME) || !TrainDriver.algorithmName(grpo).equals(FlowGrpoAlgorithm.NAME)) {
      throw new ConfigException("compare " + task + ": configs/" + task + ".yaml must run RAM and configs/" + task
          + "_grpo.yaml Flow-GRPO (key 'algorithm')");
    }
    for (String key : SHARED) {
      if (!Objects.equals(ram.resolvedValues().get(key), grpo.resolvedValues().get(key))) {
        throw new ConfigException("compare " + task + ": configs/" + task + ".yaml and configs/" + task + "_grpo.yaml differ in '"
            + key + "' (" + ram.resolvedValues().get(key) + " vs " + grpo.resolvedValues().get(key) + "); a fair comparison shares it");
      }
    }
    if (ram.task().rewards().size() != 1) {
      throw new ConfigException("compare " + task + ": needs a single reward, got " + ram.task().rewards().keySet());
    }
    int ramSteps = ram.schedule().optimizerSteps();
    int grpoSteps = grpo.schedule().optimizerSteps();
    int budget = ram.schedule().epochs() * ramSteps;
    if (budget % grpoSteps != 0) {
      throw new ConfigException("compare " + task + ": RAM's budget of " + budget + " optimizer steps is not a whole number of "
          + "Flow-GRPO epochs of " + grpoSteps + " steps; change --epochs");
    }
    for (int steps : List.of(ramSteps, grpoSteps)) {
      if (evalEvery <= 0 || evalEvery % steps != 0) {
        throw new ConfigException("compare: --eval_every_steps " + evalEvery + " must be a positive multiple of both methods' "
            + "optimizer steps per epoch (" + ramSteps + ", " + grpoSteps + ")");
      }
    }
    Runners.selectDevice(ram); // device and libtorch threads from the resolved configs, overrides included
    Runners.configureEngineThreads(ram.runtime().parallelism());
    ram = ram.with("eval_every", evalEvery / ramSteps);
    grpo = grpo.with("epochs", budget / grpoSteps).with("eval_every", evalEvery / grpoSteps);

    out.printf("compare %s: %d optimizer steps each; RAM %d epochs x %d, Flow-GRPO %d epochs x %d; held-out evaluation every %d "
        + "steps; in %s%n", task, budget, budget / ramSteps, ramSteps, budget / grpoSteps, grpoSteps, evalEvery, dir);
    String reward = ram.task().rewards().keySet().iterator().next();
    List<Comparison.Point> ramCurve = train(ram, dir.resolve("ram"), home, out, reward, ramSteps);
    List<Comparison.Point> grpoCurve = train(grpo, dir.resolve("flow_grpo"), home, out, reward, grpoSteps);
    Comparison comparison = new Comparison(ramCurve, grpoCurve);
    Map<String, Double> results = comparison.results();
    Path png = ComparisonReport.write(dir, task, comparison, results);
    results.forEach((k, v) -> out.printf(Locale.ROOT, "RESULT %s=%s%n", k, Double.isNaN(v) ? "nan" : String.format(Locale.ROOT, "%.4f", v)));
    out.println("comparison: " + png + " and " + dir.resolve("comparison.html"));
  }

  private static List<Comparison.Point> train(RunConfig config, Path runDir, Path home, PrintStream out, String reward,
      int stepsPerEpoch) {
    out.println("== " + config.name() + " ==");
    TrainDriver driver = new TrainDriver(config, runDir, home, out);
    driver.train();
    RunDirectory run = driver.runDirectory();
    return Comparison.curve(new RunMetrics(run).rows(run.latestEpoch()), reward, stepsPerEpoch);
  }
}
