package ram.experiments;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ram.config.ConfigException;

/**
 * The arguments of a probe: positional words, the probe's own {@code --options}, and any other
 * {@code --key value} pairs, each as a raw string; with helpers that read an option as a number
 * and refuse a bad one by name.
 */
final class ProbeArgs {

  final List<String> positional = new ArrayList<>();
  final Map<String, String> options = new LinkedHashMap<>();
  final Map<String, String> others = new LinkedHashMap<>();

  private ProbeArgs() {}

  /** Parses {@code args[1..]} ({@code args[0]} names the probe); {@code own} names the probe's options. */
  static ProbeArgs parse(String[] args, Set<String> own) {
    ProbeArgs t = new ProbeArgs();
    for (int i = 1; i < args.length; i++) {
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
      (own.contains(key) ? t.options : t.others).put(key, value);
    }
    return t;
  }

  /** Only {@code --key value} options, each one of {@code known}; an unknown one or a positional word is refused. */
  static Map<String, String> options(String probe, String[] args, List<String> known) {
    ProbeArgs a = parse(args, Set.copyOf(known));
    if (!a.positional.isEmpty()) {
      throw new ConfigException("argument '" + a.positional.get(0) + "': expected --key value");
    }
    if (!a.others.isEmpty()) {
      throw new ConfigException(probe + ": unknown option --" + a.others.keySet().iterator().next() + "; known: --"
          + String.join(", --", known));
    }
    return a.options;
  }

  /** The one positional argument, or an error saying what was expected. */
  String onePositional(String probe, String what) {
    if (positional.size() != 1) {
      throw new ConfigException(probe + ": expected one " + what + ", got " + (positional.isEmpty() ? "none" : positional));
    }
    return positional.get(0);
  }

  /** The option {@code --key} as a positive integer, {@code fallback} where absent. */
  static int positiveInt(String probe, Map<String, String> a, String key, int fallback) {
    double v = number(probe, a, key, fallback);
    if (v < 1 || v != Math.rint(v)) {
      throw new ConfigException(probe + ": --" + key + " must be a positive integer, got " + a.get(key));
    }
    return (int) v;
  }

  /** The option {@code --key} as a number, {@code fallback} where absent. */
  static double number(String probe, Map<String, String> a, String key, double fallback) {
    String raw = a.get(key);
    if (raw == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw new ConfigException(probe + ": --" + key + " must be a number, got '" + raw + "'");
    }
  }
}
