package ram.runners.cli;

import java.nio.file.Path;

import picocli.CommandLine.Command;

import ram.config.RunConfig;
import ram.runners.cluster.Runners;
import ram.runners.train.TrainDriver;

/** {@code ram train <config> [--key value ...]}: post-trains into the run directory, one pipeline per epoch; a rerun resumes. */
@Command(name = "train", description = "post-train (RAM, or Flow-GRPO for algorithm: flow_grpo), one pipeline per epoch; rerun to resume")
final class TrainCommand extends ConfigCommand {

  @Override
  public Integer call() {
    RunConfig resolved = resolvedConfig();
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
