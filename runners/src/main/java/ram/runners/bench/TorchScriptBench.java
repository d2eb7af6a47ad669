package ram.runners.bench;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import ram.model.Networks;
import ram.model.ParameterSet;
import ram.model.VelocityNetwork;
import ram.model.torchscript.TorchScriptSpec;
import ram.model.torchscript.TorchScriptVelocityNetwork;

/**
 * {@code ram bench model} on a TorchScript model: the module's sampling and RAM-update throughput
 * ({@link ModelBench#time}), and, when the module is a port of a built-in network (its trained
 * parameters are exactly that network's, by name and shape), the built-in network's on the same
 * weights, prompts and noise, side by side in one process with the same thread settings: which
 * engine path is faster for the same arithmetic.
 *
 * <p>Names match as PyTorch writes them: a built-in name whose segment is a Python keyword (the
 * U-Net's {@code in}) is that segment with a trailing underscore in the module ({@code in_}).
 */
final class TorchScriptBench {

  /** Python's keywords, which a PyTorch module cannot have as attribute names. */
  private static final Set<String> PYTHON_KEYWORDS = Set.of("False", "None", "True", "and", "as", "assert", "async", "await", "break",
      "class", "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is",
      "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield");

  private TorchScriptBench() {}

  /** Rounds of the side-by-side measurement; each engine's best round is reported. */
  static final int ROUNDS = 3;

  static void run(TorchScriptSpec spec, PrintStream out) {
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(spec);
    ParameterSet theta = script.initialize(0);
    List<String> prompts = ModelBench.prompts();
    String threads = System.getProperty("ai.djl.pytorch.num_threads", "default");
    VelocityNetwork builtIn = portOf(theta, script.sampleShape());
    out.printf("BENCH model engine=torchscript velocity=%s trained_parameters=%d port_of=%s threads=%s%n", spec.velocity(),
        theta.size(), builtIn == null ? "none" : builtIn.architecture(), threads);
    if (builtIn == null) {
      print(out, "torchscript", ModelBench.time(script, theta, prompts), "mean");
      return;
    }
    // the engines alternate round by round, so that a load that comes and goes on the machine slows both alike
    List<ModelBench.Workload> work = List.of(new ModelBench.Workload(builtIn, builtInWeights(theta, builtIn), prompts),
        new ModelBench.Workload(script, theta, prompts));
    double[][] best = new double[2][];
    for (ModelBench.Workload w : work) { // warm-up
      w.sampleSeconds();
      w.update();
    }
    for (int round = 0; round < ROUNDS; round++) {
      for (int e = 0; e < 2; e++) {
        double sample = work.get(e).sampleSeconds();
        double[] update = work.get(e).update();
        double[] now = {sample, update[0], update[1]};
        if (best[e] == null) {
          best[e] = now;
        }
        for (int i = 0; i < 3; i++) {
          best[e][i] = Math.min(best[e][i], now[i]);
        }
      }
    }
    ModelBench.Timing builtInTiming = new ModelBench.Timing(best[0][0], best[0][1], best[0][2]);
    ModelBench.Timing scriptTiming = new ModelBench.Timing(best[1][0], best[1][1], best[1][2]);
    print(out, "builtin", builtInTiming, "best_of_" + ROUNDS);
    print(out, "torchscript", scriptTiming, "best_of_" + ROUNDS);
    out.printf("BENCH model torchscript_over_builtin sample=%.2f ram_update=%.2f (above 1: the TorchScript module is faster)%n",
        scriptTiming.imagesPerSecond() / builtInTiming.imagesPerSecond(), scriptTiming.itemsPerSecond() / builtInTiming.itemsPerSecond());
  }

  private static void print(PrintStream out, String engine, ModelBench.Timing timing, String of) {
    out.printf("BENCH model engine=%s sample_images_per_second=%.2f ram_update_items_per_second=%.1f seconds_per_update=%.3f"
        + " gradient_seconds=%.3f adamw_seconds=%.3f timing=%s%n", engine, timing.imagesPerSecond(), timing.itemsPerSecond(),
        timing.secondsPerUpdate(), timing.gradientSeconds(), timing.optimizerSeconds(), of);
  }

  /** The built-in network whose parameters are the module's trained ones (by {@link #builtInName}) and whose samples have its shape, or null. */
  static VelocityNetwork portOf(ParameterSet trained, int[] sampleShape) {
    for (String architecture : Networks.names()) {
      VelocityNetwork network = Networks.create(architecture);
      if (!Arrays.equals(network.sampleShape(), sampleShape)) {
        continue;
      }
      ParameterSet layout = network.initialize(0);
      if (layout.names().size() == trained.names().size() && trained.names().stream()
          .allMatch(n -> layout.names().contains(builtInName(n)) && Arrays.equals(layout.shape(builtInName(n)), trained.shape(n)))) {
        return network;
      }
    }
    return null;
  }

  /** The module's weights in the built-in network's names and order. */
  static ParameterSet builtInWeights(ParameterSet trained, VelocityNetwork network) {
    ParameterSet renamed = new ParameterSet();
    for (String name : trained.names()) {
      renamed.put(builtInName(name), trained.shape(name), trained.get(name));
    }
    return renamed.grownInto(network.initialize(0));
  }

  /** A module's parameter name as the built-in networks write it: {@code in_.weight} is {@code in.weight}. */
  static String builtInName(String name) {
    String[] segments = name.split("\\.", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      if (s.endsWith("_") && PYTHON_KEYWORDS.contains(s.substring(0, s.length() - 1))) {
        segments[i] = s.substring(0, s.length() - 1);
      }
    }
    return String.join(".", segments);
  }
}
