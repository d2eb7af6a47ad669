package ram.runners.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import ram.config.ConfigException;
import ram.model.OdeSampler;
import ram.runners.cluster.Runners;
import ram.runners.report.ImageGrid;
import ram.runners.train.ImageModels;

/**
 * {@code ram sample --prompt "..." [--checkpoint DIR] [--n 16] [--out FILE.png] [--cfg_scale w]
 * [--steps N] [--time_shift s] [--seed S]}: samples one prompt n times from a checkpoint (the
 * shipped base by default) and writes the images as one PNG grid, each pixel 4 x 4.
 */
@Command(name = "sample", description = "a PNG grid of one prompt's images from a checkpoint (default models/base)")
public final class SampleCommand implements Callable<Integer> {

  /** Defaults: the shipped base and the sampling settings of configs/pretrain/base.yaml. */
  public static final String DEFAULT_CHECKPOINT = "models/base";
  public static final int DEFAULT_STEPS = 25;
  public static final double DEFAULT_CFG = 3.0;
  public static final double DEFAULT_SHIFT = 2.0;

  @ParentCommand private Main ram;

  @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "the prompt, e.g. \"two red circles\"")
  private String prompt;

  @Option(names = "--checkpoint", paramLabel = "DIR", defaultValue = DEFAULT_CHECKPOINT,
      description = "a base, an epoch's checkpoint/ or a run's epoch directory (default: ${DEFAULT-VALUE})")
  private String checkpoint;

  @Option(names = "--n", paramLabel = "N", defaultValue = "16", description = "images to sample (default: ${DEFAULT-VALUE})")
  private int n;

  @Option(names = "--out", paramLabel = "FILE.png", description = "the grid to write (default: outputs/samples/<prompt>.png)")
  private String out;

  @Option(names = "--cfg_scale", paramLabel = "w", defaultValue = "" + DEFAULT_CFG,
      description = "classifier-free guidance weight (default: ${DEFAULT-VALUE})")
  private double cfgScale;

  @Option(names = "--steps", paramLabel = "STEPS", defaultValue = "" + DEFAULT_STEPS, description = "Euler steps (default: ${DEFAULT-VALUE})")
  private int steps;

  @Option(names = "--time_shift", paramLabel = "s", defaultValue = "" + DEFAULT_SHIFT,
      description = "time-grid shift toward the noise end (default: ${DEFAULT-VALUE})")
  private double timeShift;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "noise seed (default: ${DEFAULT-VALUE})")
  private long seed;

  @Override
  public Integer call() {
    requirePositive("n", n);
    requirePositive("steps", steps);
    Runners.configureEngineThreadsUnlessSet(1);
    Path from = resolve(ram.home(), checkpoint, true);
    String slug = prompt.toLowerCase().replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    Path file = out != null ? resolve(ram.home(), out, false)
        : ram.home().resolve("outputs/samples/" + (slug.isEmpty() ? "unconditional" : slug) + ".png");
    ImageModels.Loaded model = ImageModels.load(from);
    long t0 = System.nanoTime();
    List<float[]> images = ImageModels.sample(model, new OdeSampler(steps, cfgScale, timeShift), Collections.nCopies(n, prompt), seed, 16);
    double seconds = (System.nanoTime() - t0) / 1e9;
    ImageGrid.write(file, images, model.network().imageShape(), (int) Math.ceil(Math.sqrt(n)), 4);
    ram.out().printf("sampled %d images of \"%s\" from %s (%s, %d steps, cfg %.2f, shift %.2f) in %.1fs%n", n, prompt, from,
        model.network().architecture(), steps, cfgScale, timeShift, seconds);
    ram.out().println("wrote " + file);
    return 0;
  }

  private static void requirePositive(String option, int value) {
    if (value < 1) {
      throw new ConfigException("sample: --" + option + " must be a positive integer, got " + value);
    }
  }

  /** A relative path against the working directory; a missing checkpoint is looked up under the ram home too. */
  public static Path resolve(Path home, String value, boolean checkpoint) {
    Path p = Path.of(value).toAbsolutePath().normalize();
    if (checkpoint && !Files.exists(p) && !Path.of(value).isAbsolute()) {
      return home.resolve(value).normalize();
    }
    return p;
  }
}
