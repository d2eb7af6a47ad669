package ram.runners.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import ram.config.RunConfig;
import ram.runners.cluster.Runners;
import ram.runners.pretrain.Pretrain;

/** {@code ram pretrain <config> [--key value ...]}: pretrains the config's base model and writes its {@code base_checkpoint}. */
@Command(name = "pretrain", description = "pretrain the config's base model into base_checkpoint (resumable)")
final class PretrainCommand implements Callable<Integer>, ConfigOverrides.Target {

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
    Runners.selectDevice(resolved);
    Runners.configureEngineThreadsUnlessSet(1);
    Pretrain.run(resolved, ram.home(), ram.out());
    return 0;
  }
}
