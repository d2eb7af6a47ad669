package ram.runners.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import ram.config.ConfigException;
import ram.config.ModelSettings;
import ram.config.RunConfig;
import ram.model.AdamW;
import ram.model.FlopCounted;
import ram.model.Networks;
import ram.model.Noise;
import ram.model.OdeSampler;
import ram.model.Optimizer;
import ram.model.ParameterSet;
import ram.model.RamGradient;
import ram.model.RamItems;
import ram.model.VelocityNetwork;

/**
 * {@code ram bench model [<config>]}: throughput of the config's image network (the shipped base's
 * by default) next to the engine's own matmul peak,
 * all in one process with the same thread settings. Reports the sampler's images/s with CFG
 * (a batch of 16 prompts, 25 Euler steps: 32 network rows per step), the RAM update's items/s
 * (8 endpoints x 4 re-noisings = 32 items: reference and lagged forwards, policy forward and
 * backward, then the AdamW step), each with the model FLOP/s it achieves (matmul FLOPs of the
 * forward pass, x3 for forward + backward) as a share of the peak of a 512 x 512 matMul. On a
 * TorchScript model, {@link TorchScriptBench} measures the module instead.
 */
final class ModelBench {

  private static final int SAMPLE_BATCH = 16;
  private static final int SAMPLE_STEPS = 25;
  private static final int RAM_ENDPOINTS = 8;
  private static final int RAM_RENOISINGS = 4;

  private ModelBench() {}

  /** Seconds of one sampler batch, and of one RAM update's gradient and AdamW step. */
  record Timing(double sampleSeconds, double gradientSeconds, double optimizerSeconds) {
    double imagesPerSecond() {
      return SAMPLE_BATCH / sampleSeconds;
    }

    double secondsPerUpdate() {
      return gradientSeconds + optimizerSeconds;
    }

    double itemsPerSecond() {
      return RAM_ENDPOINTS * RAM_RENOISINGS / secondsPerUpdate();
    }
  }

  static void run(RunConfig config, PrintStream out) {
    ModelSettings model = config.model().resolvedAgainst(Path.of(System.getProperty("ram.home", ".")).toAbsolutePath());
    if (model.isTorchScript()) {
      TorchScriptBench.run(model.torchscript(), out);
      return;
    }
    VelocityNetwork network = Networks.create(config.model().architecture());
    if (!(network instanceof FlopCounted flops)) {
      throw new ConfigException(config.name() + ": bench model needs an image network that counts its FLOPs, not "
          + network.architecture());
    }
    ParameterSet theta = network.initialize(0);
    List<String> prompts = prompts();
    int chars = 1 + prompts.stream().mapToInt(String::length).max().orElse(0);
    int words = prompts.stream().mapToInt(q -> q.split("\\s+").length).max().orElse(0);
    double peak = matmulPeak(512);
    out.printf("BENCH model architecture=%s engine_matmul_512_gflops=%.1f threads=%s%n", network.architecture(), peak / 1e9,
        System.getProperty("ai.djl.pytorch.num_threads", "default"));
    Timing timing = time(network, theta, prompts);
    long perImage = flops.forwardFlops(chars, words) - flops.textFlops(chars, words);
    // the sampler encodes the prompts once per batch, then runs the image part at every step (x2 rows for CFG)
    double sampleFlops = ((double) perImage * SAMPLE_STEPS + flops.textFlops(chars, words)) * 2 * SAMPLE_BATCH / timing.sampleSeconds();
    out.printf("BENCH model sample_images_per_second=%.2f batch=%d steps=%d cfg=true model_gflops=%.1f ratio_to_peak=%.2f%n",
        timing.imagesPerSecond(), SAMPLE_BATCH, SAMPLE_STEPS, sampleFlops / 1e9, sampleFlops / peak);
    int rows = RAM_ENDPOINTS * RAM_RENOISINGS;
    double ramFlops = (double) flops.forwardFlops(chars, words) * (2 + 3) * rows / timing.secondsPerUpdate();
    out.printf("BENCH model ram_update_items_per_second=%.1f items=%d (endpoints=%d x renoisings=%d) seconds_per_update=%.3f"
        + " gradient_seconds=%.3f adamw_seconds=%.3f model_gflops=%.1f ratio_to_peak=%.2f%n", timing.itemsPerSecond(), rows,
        RAM_ENDPOINTS, RAM_RENOISINGS, timing.secondsPerUpdate(), timing.gradientSeconds(), timing.optimizerSeconds(), ramFlops / 1e9,
        ramFlops / peak);
    out.printf("BENCH model parameters=%d forward_mflops_per_image=%.1f text_tokens=%d%n", theta.size(),
        flops.forwardFlops(chars, words) / 1e6, chars + words);
  }

  /** The bench's prompts: a GenEval-style prompt and a quoted word (letter attention), alternating. */
  static List<String> prompts() {
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < SAMPLE_BATCH; i++) {
      prompts.add(i % 2 == 0 ? "a photo of a red circle left of a blue star" : "a sign that reads \"RAMBO\"");
    }
    return prompts;
  }

  /**
   * The sampler's seconds per batch with CFG ({@value #SAMPLE_BATCH} prompts, {@value #SAMPLE_STEPS} Euler steps) and a
   * RAM update's ({@value #RAM_ENDPOINTS} endpoints x {@value #RAM_RENOISINGS} re-noisings), each after one warm-up: the
   * mean of 2 batches and of 4 updates.
   */
  static Timing time(VelocityNetwork network, ParameterSet theta, List<String> prompts) {
    Workload work = new Workload(network, theta, prompts);
    work.sampleSeconds(); // warm-up
    double sampleSeconds = (work.sampleSeconds() + work.sampleSeconds()) / 2;
    work.update(); // warm-up
    double gradientSeconds = 0;
    double optimizerSeconds = 0;
    int updates = 4;
    for (int u = 0; u < updates; u++) {
      double[] update = work.update();
      gradientSeconds += update[0];
      optimizerSeconds += update[1];
    }
    return new Timing(sampleSeconds, gradientSeconds / updates, optimizerSeconds / updates);
  }

  /** The bench's two workloads on one network: a sampler batch, and RAM updates of a parameter copy of its own. */
  static final class Workload {
    private final VelocityNetwork network;
    private final ParameterSet theta;
    private final List<String> prompts;
    private final OdeSampler sampler = new OdeSampler(SAMPLE_STEPS, 3.0, 2.0);
    private final float[] noise;
    private final RamGradient gradient;
    private final AdamW adam = AdamW.of(1e-4, 0);
    private final ParameterSet params;
    private final ParameterSet reference;
    private final RamItems items;
    private Optimizer.State state;

    Workload(VelocityNetwork network, ParameterSet theta, List<String> prompts) {
      this.network = network;
      this.theta = theta;
      this.prompts = prompts;
      this.noise = Noise.gaussian(1, SAMPLE_BATCH * network.sampleSize());
      this.gradient = new RamGradient(network, 1.0);
      this.params = theta.copy();
      this.reference = theta.copy();
      this.state = Optimizer.State.zerosLike(params);
      this.items = ramItems(network, prompts.subList(0, RAM_ENDPOINTS));
    }

    /** Seconds of one sampler batch. */
    double sampleSeconds() {
      long t0 = System.nanoTime();
      sampler.sample(network, theta, noise, prompts);
      return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds of one RAM update: {gradient, AdamW step}. */
    double[] update() {
      long a = System.nanoTime();
      RamGradient.Result result = gradient.compute(params, reference, reference, items);
      long b = System.nanoTime();
      state = adam.step(params, result.gradientSum(), state);
      long c = System.nanoTime();
      return new double[] {(b - a) / 1e9, (c - b) / 1e9};
    }
  }

  private static RamItems ramItems(VelocityNetwork network, List<String> prompts) {
    int n = prompts.size();
    int dim = network.sampleSize();
    float[] times = new float[n * RAM_RENOISINGS];
    for (int i = 0; i < times.length; i++) {
      times[i] = (float) Math.sqrt(Noise.uniform(Noise.seed(7, i)));
    }
    float[] signals = new float[n];
    for (int i = 0; i < n; i++) {
      signals[i] = i % 2 == 0 ? 1f : -1f;
    }
    return new RamItems(Noise.gaussian(2, n * dim), prompts, signals, times, Noise.gaussian(3, n * RAM_RENOISINGS * dim),
        RAM_RENOISINGS);
  }

  /** FLOP/s of an {@code n x n} fp32 matMul through DJL, the best of a few timed rounds. */
  static double matmulPeak(int n) {
    try (NDManager manager = ram.model.Devices.newManager()) {
      NDArray a = manager.create(Noise.gaussian(1, n * n), new Shape(n, n));
      NDArray b = manager.create(Noise.gaussian(2, n * n), new Shape(n, n));
      for (int i = 0; i < 3; i++) {
        a.matMul(b).close();
      }
      double best = 0;
      for (int round = 0; round < 5; round++) {
        int reps = 10;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
          NDArray c = a.matMul(b);
          c.toFloatArray(); // force completion
          c.close();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        best = Math.max(best, 2.0 * n * n * n * reps / seconds);
      }
      return best;
    }
  }
}
