package ram.runners.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ram.config.ConfigException;
import ram.config.ConfigKeys;
import ram.config.RunConfig;
import ram.config.ScheduleSettings;
import ram.pipelines.PromptSets;
import ram.runners.store.OwnedDirectory;

/**
 * What {@code ./ram validate} prints: the resolved config, section by section, each value marked
 * as set by the config or left at its default (sections the run does not read, such as the other
 * algorithm's, are left out); then what {@code train} would do with it (the
 * algorithm, the budget in samples and optimizer steps, the model and base, the evaluation, where
 * it runs and writes) and the checks {@code train} makes before it writes anything, each with its
 * outcome. Nothing is written and no pipeline runs.
 */
public final class RunPlan {

  private RunPlan() {}

  /** The resolved config and the plan; {@code problems} collects what {@code train} would refuse. */
  public static String describe(RunConfig config, Path home, Path runDir, List<String> problems) {
    StringBuilder out = new StringBuilder();
    out.append("config '").append(config.name()).append("' (values not marked 'set' are defaults)\n");
    Map<String, Object> resolved = config.resolvedValues();
    boolean pretraining = resolved.keySet().stream().anyMatch(k -> k.startsWith("pretrain_") && config.has(k));
    ConfigKeys.bySection().forEach((section, keys) -> {
      if (section == ConfigKeys.Section.PRETRAINING && !pretraining || section == ConfigKeys.Section.RAM && config.flowGrpo()
          || section == ConfigKeys.Section.FLOW_GRPO && !config.flowGrpo()) {
        return; // keys this run does not read
      }
      StringBuilder lines = new StringBuilder();
      for (ConfigKeys.Key k : keys) {
        if (resolved.containsKey(k.name()) && config.concerns(k.name())) {
          lines.append(String.format(Locale.ROOT, "  %-26s %-28s %s%n", k.name(), resolved.get(k.name()),
              config.has(k.name()) ? "set" : ""));
        }
      }
      if (lines.length() > 0) {
        out.append(section.title).append(":\n").append(lines);
      }
    });
    out.append("\nwhat train will do:\n");
    ScheduleSettings s = check(problems, config::schedule);
    if (s != null) {
      long samples = (long) s.promptsPerEpoch() * s.imagesPerPrompt();
      out.append(String.format(Locale.ROOT, "  %s, %d epochs of %d prompts x %d images = %d samples each (%d in all)%n",
          config.flowGrpo() ? "Flow-GRPO" : "RAM", s.epochs(), s.promptsPerEpoch(), s.imagesPerPrompt(), samples, samples * s.epochs()));
      if (config.flowGrpo()) {
        var g = config.flowGrpoSettings();
        out.append(String.format(Locale.ROOT, "  SDE rollouts of %d steps (noise level %s), the loss trains %d of them%n",
            config.sampling().steps(), g.sdeNoiseLevel(), g.trainedSteps()));
        if (g.trainedSteps() > config.sampling().steps()) {
          problems.add("grpo_trained_steps " + g.trainedSteps() + " exceeds sample_steps " + config.sampling().steps());
        }
      } else {
        var r = config.ram();
        out.append(String.format(Locale.ROOT, "  endpoints by %d %s steps; %d re-noisings each = %d regression items per epoch%n",
            config.sampling().steps(), config.sampling().solver().name().toLowerCase(Locale.ROOT), r.renoisings(),
            samples * r.renoisings()));
      }
      out.append(String.format(Locale.ROOT, "  %d optimizer step(s) per epoch, %d in all, each summed over %d gradient shard(s)%n",
          s.optimizerSteps(), (long) s.optimizerSteps() * s.epochs(), s.gradientShards()));
    }
    var model = check(problems, config::model);
    if (model != null) {
      Path base = RunConfig.resolve(model.base(), home);
      out.append("  fine-tunes ").append(model.architecture()).append(check(problems, () -> TrainDriver.lora(config)) != null
          ? " by LoRA adapters" : " fully").append(", starting from ").append(base).append('\n');
      if (model.isTorchScript() ? !Files.isRegularFile(base) : !Files.isDirectory(base)) {
        problems.add((model.isTorchScript() ? "velocity " : "base_checkpoint ") + base + " does not exist");
      }
    }
    var task = check(problems, config::task);
    if (task != null) {
      out.append("  rewards ").append(task.rewards()).append(" on ").append(task.prompts() == null ? "(no prompts)" : task.prompts())
          .append('\n');
      if (task.prompts() == null) {
        problems.add("config '" + config.name() + "' has no key 'prompts'");
      } else {
        Path prompts = RunConfig.resolve(task.prompts(), home);
        if (!Files.isRegularFile(prompts)) {
          problems.add("prompts " + prompts + ": no such file");
        } else {
          check(problems, () -> {
            try {
              return PromptSets.load(prompts, task.rewards().keySet(), config.rewardSettings(home));
            } catch (IllegalArgumentException e) { // a bad prompt, or a reward that cannot score with its settings
              throw new ConfigException(e.getMessage());
            }
          });
        }
      }
    }
    var eval = config.evaluation();
    out.append(eval.samples() == 0 ? "  no in-run evaluation\n" : String.format(Locale.ROOT,
        "  evaluates %d samples of %s by %s before, after%s and at the end%n", eval.samples(),
        eval.prompts() == null ? "the training prompts" : eval.prompts(), eval.rewards() == null ? "?" : eval.rewards().keySet(),
        eval.every() > 0 ? " every " + eval.every() + " epochs" : ""));
    var runtime = config.runtime();
    out.append("  runs on ").append(runtime.flink() ? "Flink " + runtime.flinkMaster() : "the DirectRunner").append(" with parallelism ")
        .append(runtime.parallelism()).append(", device ").append(runtime.device()).append('\n');
    out.append("  writes ").append(runDir);
    if (Files.isDirectory(runDir) && Files.exists(runDir.resolve("config.yaml"))) {
      out.append(String.format(Locale.ROOT, " (a run with %d epochs done: train resumes it)", new RunDirectory(runDir).latestEpoch()));
    }
    out.append('\n');
    check(problems, () -> OwnedDirectory.requireClaimable(runDir, OwnedDirectory.Kind.RUN, "--output_dir"));
    out.append(problems.isEmpty() ? "\nok: train would start\n" : "\nproblems (train would refuse):\n  " + String.join("\n  ", problems)
        + "\n");
    return out.toString();
  }

  private static <T> T check(List<String> problems, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (ConfigException e) {
      problems.add(e.getMessage());
      return null;
    }
  }
}
