package ram.runners.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.ParentCommand;

import ram.config.ConfigKeys;

/**
 * A command that takes config-key overrides ({@code --key value}, collected by
 * {@link ConfigOverrides}) beside its own options: the overrides, and the {@code ram} command it runs under.
 */
abstract class OverridingCommand implements Callable<Integer>, ConfigOverrides.Target {

  @ParentCommand Main ram;

  final Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Map<String, String> overrides() {
    return overrides;
  }

  /** Whether {@code key} is one of the runner keys of {@code configs/store.yaml}, which the store commands read. */
  static boolean runnerKey(ConfigKeys.Key key) {
    return key.section() == ConfigKeys.Section.RUNTIME && !key.name().equals("output_dir");
  }
}
