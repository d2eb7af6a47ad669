package ram.runners.cli;

import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Command;

import ram.config.RunConfig;
import ram.runners.train.RunPlan;

/**
 * {@code ram validate <config> [--key value ...]}: the resolved config and what {@code train} would
 * do with it ({@link RunPlan}); writes nothing, and exits 2 when {@code train} would refuse it.
 */
@Command(name = "validate", description = "print the resolved config and what train would do with it; writes nothing")
final class ValidateCommand extends ConfigCommand {

  @Override
  public Integer call() {
    RunConfig resolved = resolvedConfig();
    List<String> problems = new ArrayList<>();
    ram.out().print(RunPlan.describe(resolved, ram.home(), TrainCommand.runDir(resolved, ram.home()), problems));
    return problems.isEmpty() ? 0 : 2;
  }
}
