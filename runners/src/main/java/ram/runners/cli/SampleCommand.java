package ram.runners.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import ram.runners.report.ImageGrid;
import ram.runners.train.ImageModels;
import ram.config.ConfigException;
import ram.model.OdeSampler;

/**
 * {@code ram sample --prompt "..." [--checkpoint DIR] [--n 16] [--out FILE.png] [--cfg_scale w]
 * [--steps N] [--time_shift s] [--seed S]}: samples one prompt n times from a checkpoint (the
 * shipped base by default) and writes the images as one PNG grid, each pixel 4 x 4.
 */
public final class SampleCommand {

  /** Defaults: the shipped base and the sampling settings of configs/pretrain/base.yaml. */
  public static final String DEFAULT_CHECKPOINT = "models/base";
  public static final int DEFAULT_STEPS = 25;
  public static final double DEFAULT_CFG = 3.0;
  public static final double DEFAULT_SHIFT = 2.0;
  private static final List<String> KEYS = List.of("prompt", "checkpoint", "n", "out", "cfg_scale", "steps", "time_shift", "seed");

  private SampleCommand() {}

  static void run(String[] args, Path home, PrintStream out) {
    Map<String, String> a = options("sample", args, KEYS);
    String prompt = a.get("prompt");
    if (prompt == null) {
      throw new ConfigException("sample: missing --prompt \"...\"");
    }
    Path checkpoint = resolve(home, a.getOrDefault("checkpoint", DEFAULT_CHECKPOINT), true);
    int n = positiveInt("sample", a, "n", 16);
    int steps = positiveInt("sample", a, "steps", DEFAULT_STEPS);
    double cfg = number("sample", a, "cfg_scale", DEFAULT_CFG);
    double shift = number("sample", a, "time_shift", DEFAULT_SHIFT);
    long seed = (long) number("sample", a, "seed", 0);
    String slug = prompt.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    Path file = a.containsKey("out") ? resolve(home, a.get("out"), false)
        : home.resolve("outputs/samples/" + (slug.isEmpty() ? "unconditional" : slug) + ".png");
    ImageModels.Loaded model = ImageModels.load(checkpoint);
    long t0 = System.nanoTime();
    List<float[]> images = ImageModels.sample(model, new OdeSampler(steps, cfg, shift), Collections.nCopies(n, prompt), seed, 16);
    double seconds = (System.nanoTime() - t0) / 1e9;
    ImageGrid.write(file, images, model.network().sampleShape(), (int) Math.ceil(Math.sqrt(n)), 4);
    out.printf("sampled %d images of \"%s\" from %s (%s, %d steps, cfg %.2f, shift %.2f) in %.1fs%n", n, prompt, checkpoint,
        model.network().architecture(), steps, cfg, shift, seconds);
    out.println("wrote " + file);
  }

  /** The {@code --key value} options after the command word; an option not in {@code known} is refused by name. */
  public static Map<String, String> options(String command, String[] args, List<String> known) {
    Map<String, String> a = Main.overrides(args, 1);
    for (String k : a.keySet()) {
      if (!known.contains(k)) {
        throw new ConfigException(command + ": unknown option --" + k + "; known: --" + String.join(", --", known));
      }
    }
    return a;
  }

  /** A relative path against the working directory; a missing checkpoint is looked up under the ram home too. */
  public static Path resolve(Path home, String value, boolean checkpoint) {
    Path p = Path.of(value).toAbsolutePath().normalize();
    if (checkpoint && !java.nio.file.Files.exists(p) && !Path.of(value).isAbsolute()) {
      return home.resolve(value).normalize();
    }
    return p;
  }

  /** The option {@code --key} as a positive integer, {@code fallback} where absent. */
  public static int positiveInt(String command, Map<String, String> a, String key, int fallback) {
    double v = number(command, a, key, fallback);
    if (v < 1 || v != Math.rint(v)) {
      throw new ConfigException(command + ": --" + key + " must be a positive integer, got " + a.get(key));
    }
    return (int) v;
  }

  /** The option {@code --key} as a number, {@code fallback} where absent. */
  public static double number(String command, Map<String, String> a, String key, double fallback) {
    String raw = a.get(key);
    if (raw == null) {
      return fallback;
    }
    try {
      return Double.parseDouble(raw);
    } catch (NumberFormatException e) {
      throw new ConfigException(command + ": --" + key + " must be a number, got '" + raw + "'");
    }
  }
}
