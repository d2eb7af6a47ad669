package ram.runners.cli;

import picocli.CommandLine.Parameters;

import ram.config.RunConfig;

/**
 * A command of the form {@code ram <command> <config> [--key value ...]} (train, pretrain, validate):
 * the config's name or path, and the resolved config it makes with the overrides.
 */
abstract class ConfigCommand extends OverridingCommand {

  @Parameters(paramLabel = "<config>", description = ConfigFiles.DESCRIPTION)
  private String config;

  /** The config file with the command line's overrides, type-checked and with its defaults. */
  RunConfig resolvedConfig() {
    return ConfigFiles.load(config, overrides, ram.home());
  }
}
