package ram.runners.cli;

import picocli.CommandLine.Command;

import ram.config.RunConfig;
import ram.runners.cluster.Runners;
import ram.runners.pretrain.Pretrain;

/** {@code ram pretrain <config> [--key value ...]}: pretrains the config's base model and writes its {@code base_checkpoint}. */
@Command(name = "pretrain", description = "pretrain the config's base model into base_checkpoint (resumable)")
final class PretrainCommand extends ConfigCommand {

  @Override
  public Integer call() {
    RunConfig resolved = resolvedConfig();
    Runners.selectDevice(resolved);
    Runners.configureEngineThreadsUnlessSet(1);
    Pretrain.run(resolved, ram.home(), ram.out());
    return 0;
  }
}
