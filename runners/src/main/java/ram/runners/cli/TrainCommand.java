package ram.runners.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import ram.config.RunConfig;
import ram.runners.cluster.Runners;
import ram.runners.train.TrainDriver;

/** {@code ram train <config> [--key value ...]}: post-trains into the run directory, one pipeline per epoch; a rerun resumes. */
@Command(name = "train", description = "post-train (RAM, or Flow-GRPO for algorithm: flow_grpo), one pipeline per epoch; rerun to resume")
final class TrainCommand implements Callable<Integer>, ConfigOverrides.Target {

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
    Path runDir = runDir(resolved, ram.home());
    ram.logFailuresIn(runDir);
    Runners.selectDevice(resolved);
    Runners.configureEngineThreads(resolved.runtime().parallelism());
    new TrainDriver(resolved, runDir, ram.home(), ram.out()).train();
    return 0;
  }

  /** The run directory: {@code --output_dir} (relative to the working directory) or outputs/<config>. */
  static Path runDir(RunConfig config, Path home) {
    if (config.has("output_dir")) {
      return Path.of(config.runtime().outputDir()).toAbsolutePath().normalize();
    }
    return home.resolve("outputs").resolve(config.name());
  }
}
