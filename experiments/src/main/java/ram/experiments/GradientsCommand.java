package ram.experiments;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ram.config.ConfigException;
import ram.config.RunConfig;
import ram.model.Checkpoint;
import ram.runners.train.RunDirectory;

/**
 * {@code experiments/run gradients <run dir> [--top N]}: which layers of a run carry a learning signal. Each
 * epoch's gradient is recovered from the Adam first moments of consecutive checkpoints
 * ({@link GradientCoherence}); the layers are listed by coherence against what noise gives
 * (1 / epochs), and every tensor's coherence goes to {@code <run>/gradient_coherence.csv}.
 * Needs one optimizer step per epoch: with more, a checkpoint keeps only their blend.
 */
final class GradientsCommand {

  static final String CSV = "gradient_coherence.csv";

  private GradientsCommand() {}

  static void run(String[] args, PrintStream out) {
    ProbeArgs a = ProbeArgs.parse(args, Set.of("top"));
    if (!a.others.isEmpty()) {
      throw new ConfigException("gradients: unknown option --" + a.others.keySet().iterator().next() + "; expected --top N");
    }
    RunDirectory run = new RunDirectory(Path.of(a.onePositional("gradients", "run directory (e.g. outputs/geneval)")));
    int top = top(a.options.getOrDefault("top", "12"));
    if (!Files.isRegularFile(run.configFile())) {
      throw new ConfigException("gradients: " + run.configFile() + " not found; expected the directory of a training run");
    }
    RunConfig config = RunConfig.readResolved(run.configFile(), run.root().getFileName().toString());
    int steps = config.schedule().optimizerSteps();
    if (steps != 1) {
      throw new ConfigException("gradients: " + run.configFile() + " has optimizer_steps_per_epoch " + steps
          + "; a checkpoint keeps only the blend of an epoch's steps, so the analysis needs 1");
    }
    int epochs = run.latestEpoch();
    if (epochs < 2) {
      throw new ConfigException("gradients: " + run.root() + " has " + epochs + " finished epochs; the analysis needs 2 or more");
    }
    GradientCoherence coherence = new GradientCoherence(config.optimizer().beta1());
    for (int epoch = 1; epoch <= epochs; epoch++) {
      Path dir = run.checkpoint(epoch);
      coherence.addMoment(Checkpoint.decodeTraining(Checkpoint.readDirectory(dir), dir.toString()).optimizer().firstMoment());
    }
    print(coherence, run, top, out);
    RunDirectory.writeAtomically(run.root().resolve(CSV), csv(coherence));
  }

  private static int top(String raw) {
    try {
      int n = Integer.parseInt(raw);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException("gradients: --top expects a positive number of layers, got '" + raw + "'");
  }

  private static void print(GradientCoherence c, RunDirectory run, int top, PrintStream out) {
    out.printf("gradients of %s: %d optimizer steps (epochs 1..%d); coherence |mean g|^2 / mean |g|^2 is 1 for a constant "
        + "gradient, %.3f for noise, less for a gradient that flips sign%n", run.root(), c.steps(), c.steps(), c.noiseLevel());
    List<GradientCoherence.Group> layers = c.byLayer().stream()
        .sorted(Comparator.comparingDouble(GradientCoherence.Group::coherence).reversed()).toList();
    out.println("  coherence  x noise  parameters  layer");
    boolean elide = layers.size() > 2 * top;
    for (GradientCoherence.Group g : elide ? layers.subList(0, top) : layers) {
      printLayer(g, c, out);
    }
    if (elide) {
      out.printf("  ... %d layers ...%n", layers.size() - 2 * top);
      for (GradientCoherence.Group g : layers.subList(layers.size() - top, layers.size())) {
        printLayer(g, c, out);
      }
    }
    long above = layers.stream().filter(g -> g.coherence() > c.noiseLevel()).count();
    out.printf("RESULT gradient_steps=%d%n", c.steps());
    out.printf("RESULT gradient_noise_level=%.4f%n", c.noiseLevel());
    out.printf("RESULT gradient_coherence=%.4f%n", c.overall().coherence());
    out.printf("RESULT gradient_layers_above_noise=%d%n", above);
    out.printf("RESULT gradient_layers=%d%n", layers.size());
    out.println("every tensor: " + run.root().resolve(CSV));
  }

  private static void printLayer(GradientCoherence.Group g, GradientCoherence c, PrintStream out) {
    out.printf("  %9.3f  %7.2f  %10d  %s%n", g.coherence(), g.coherence() / c.noiseLevel(), g.parameters(), g.name());
  }

  private static String csv(GradientCoherence c) {
    StringBuilder b = new StringBuilder("tensor,coherence,noise_level\n");
    for (Map.Entry<String, Double> e : c.byTensor().entrySet()) {
      b.append(e.getKey()).append(',').append(String.format("%.6f", e.getValue())).append(',')
          .append(String.format("%.6f", c.noiseLevel())).append('\n');
    }
    return b.toString();
  }
}
