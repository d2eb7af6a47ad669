package ram.runners.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import ram.config.RunConfig;
import ram.runners.train.RunPlan;

/**
 * {@code ram validate <config> [--key value ...]}: the resolved config and what {@code train} would
 * do with it ({@link RunPlan}); writes nothing, and exits 2 when {@code train} would refuse it.
 */
@Command(name = "validate", description = "print the resolved config and what train would do with it; writes nothing")
final class ValidateCommand implements Callable<Integer>, ConfigOverrides.Target {

  @ParentCommand private Main ram;

  @Parameters(paramLabel = "<config>", description = ConfigFiles.DESCRIPTION)
  private String config;

  private final Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Map<String, String> overrides() {
    return overrides;
  }

  @Override
  public Integer call() {
    RunConfig resolved = ConfigFiles.load(config, overrides, ram.home());
    List<String> problems = new ArrayList<>();
    ram.out().print(RunPlan.describe(resolved, ram.home(), TrainCommand.runDir(resolved, ram.home()), problems));
    return problems.isEmpty() ? 0 : 2;
  }
}
