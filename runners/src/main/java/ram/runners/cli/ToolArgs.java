package ram.runners.cli;

import ram.config.RunConfig;
import ram.config.ConfigException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of a command such as {@code rescore}, {@code export} or {@code evaluate}:
 * positional words, the command's own {@code --options}, and any other {@code --key value}
 * pairs, which override the runner settings of {@code configs/store.yaml}.
 */
public final class ToolArgs {

  public final List<String> positional = new ArrayList<>();
  public final Map<String, String> options = new LinkedHashMap<>();
  public final Map<String, String> overrides = new LinkedHashMap<>();

  /** Parses {@code args[1..]}; {@code own} names the command's options. */
  public static ToolArgs parse(String[] args, Set<String> own) {
    return parse(args, 1, own);
  }

  /** Parses {@code args[from..]}. */
  public static ToolArgs parse(String[] args, int from, Set<String> own) {
    ToolArgs t = new ToolArgs();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        t.positional.add(a);
        continue;
      }
      String key = a.substring(2);
      String value;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new ConfigException("argument --" + key + ": missing its value");
      }
      if (key.isEmpty()) {
        throw new ConfigException("argument '" + a + "': expected --key value");
      }
      (own.contains(key) ? t.options : t.overrides).put(key, value);
    }
    return t;
  }

  /** The one positional argument, or an error saying what was expected. */
  public String onePositional(String command, String what) {
    if (positional.size() != 1) {
      throw new ConfigException(command + ": expected one " + what + ", got " + (positional.isEmpty() ? "none" : positional));
    }
    return positional.get(0);
  }

  String required(String command, String key, String what) {
    String v = options.get(key);
    if (v == null || v.isBlank()) {
      throw new ConfigException(command + ": missing --" + key + " (" + what + ")");
    }
    return v;
  }

  /** The runner settings: configs/store.yaml with the remaining overrides. */
  RunConfig runnerConfig(Path home) {
    return RunConfig.load(home.resolve("configs/store.yaml"), overrides);
  }
}
