package ram.runners.cli;

import java.nio.file.Path;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import ram.config.ConfigException;
import ram.runners.train.CompareRuns;
import ram.transforms.SafeNames;

/**
 * {@code ram compare <task> [--eval_every_steps 2] [--out DIR] [--key value ...]}: RAM
 * ({@code configs/<task>.yaml}) against Flow-GRPO ({@code configs/<task>_grpo.yaml}) on the same
 * base and budget of optimizer steps ({@link CompareRuns}); config keys apply to both runs.
 */
@Command(name = "compare", description = "RAM against Flow-GRPO on the same base and budget; writes comparison.html and .png")
final class CompareCommand extends OverridingCommand {

  @Parameters(paramLabel = "<task>", description = "a config name in configs/ with a <task>_grpo twin, e.g. geneval")
  private String task;

  @Option(names = "--eval_every_steps", paramLabel = "N", defaultValue = "2",
      description = "held-out evaluation of both runs every N optimizer steps (default: ${DEFAULT-VALUE})")
  private int evalEverySteps;

  @Option(names = "--out", paramLabel = "DIR", description = "where both runs and the comparison go (default: outputs/compare-<task>)")
  private Path out;

  @Override
  public Integer call() {
    if (SafeNames.problem(task) != null) {
      throw new ConfigException("compare: task '" + SafeNames.shown(task) + "' " + SafeNames.problem(task)
          + "; expected a config name in configs/ (it also names the directory compare-<task>)");
    }
    Path dir = out != null ? out.toAbsolutePath().normalize() : ram.home().resolve("outputs").resolve("compare-" + task);
    CompareRuns.run(task, ConfigFiles.load(task, Map.of(), ram.home()), ConfigFiles.load(task + "_grpo", Map.of(), ram.home()),
        overrides, evalEverySteps, dir, ram.home(), ram.out());
    return 0;
  }
}
