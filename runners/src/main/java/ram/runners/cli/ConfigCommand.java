package ram.runners.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import ram.config.RunConfig;

/**
 * A command of the form {@code ram <command> <config> [--key value ...]} (train, pretrain, validate):
 * the config's name or path, the config-key overrides {@link ConfigOverrides} collects, and the
 * resolved config they make.
 */
abstract class ConfigCommand implements Callable<Integer>, ConfigOverrides.Target {

  @ParentCommand Main ram;

  @Parameters(paramLabel = "<config>", description = ConfigFiles.DESCRIPTION)
  private String config;

  private final Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Map<String, String> overrides() {
    return overrides;
  }

  /** The config file with the command line's overrides, type-checked and with its defaults. */
  RunConfig resolvedConfig() {
    return ConfigFiles.load(config, overrides, ram.home());
  }
}
