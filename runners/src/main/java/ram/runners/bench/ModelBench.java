package ram.runners.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import ram.config.ConfigException;
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
 * forward pass, x3 for forward + backward) as a share of the peak of a 512 x 512 matMul.
 */
final class ModelBench {

  private static final int SAMPLE_BATCH = 16;
  private static final int SAMPLE_STEPS = 25;
  private static final int RAM_ENDPOINTS = 8;
  private static final int RAM_RENOISINGS = 4;

  private ModelBench() {}

  static void run(RunConfig config, PrintStream out) {
    VelocityNetwork network = Networks.create(config.model().architecture());
    if (!(network instanceof FlopCounted flops)) {
      throw new ConfigException(config.name() + ": bench model needs an image network that counts its FLOPs, not "
          + network.architecture());
    }
    ParameterSet theta = network.initialize(0);
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < SAMPLE_BATCH; i++) {
      prompts.add(i % 2 == 0 ? "a photo of a red circle left of a blue star" : "a sign that reads \"RAMBO\"");
    }
    int chars = 1 + prompts.stream().mapToInt(String::length).max().orElse(0);
    int words = prompts.stream().mapToInt(q -> q.split("\\s+").length).max().orElse(0);
    double peak = matmulPeak(512);
    out.printf("BENCH model architecture=%s engine_matmul_512_gflops=%.1f threads=%s%n", network.architecture(), peak / 1e9,
        System.getProperty("ai.djl.pytorch.num_threads", "default"));

    OdeSampler sampler = new OdeSampler(SAMPLE_STEPS, 3.0, 2.0);
    float[] noise = Noise.gaussian(1, SAMPLE_BATCH * network.sampleSize());
    sampler.sample(network, theta, noise, prompts); // warm-up
    int repeats = 2;
    long t0 = System.nanoTime();
    for (int r = 0; r < repeats; r++) {
      sampler.sample(network, theta, noise, prompts);
    }
    double sampleSeconds = (System.nanoTime() - t0) / 1e9 / repeats;
    long perImage = flops.forwardFlops(chars, words) - flops.textFlops(chars, words);
    // the sampler encodes the prompts once per batch, then runs the image part at every step (x2 rows for CFG)
    double sampleFlops = ((double) perImage * SAMPLE_STEPS + flops.textFlops(chars, words)) * 2 * SAMPLE_BATCH / sampleSeconds;
    out.printf("BENCH model sample_images_per_second=%.2f batch=%d steps=%d cfg=true model_gflops=%.1f ratio_to_peak=%.2f%n",
        SAMPLE_BATCH / sampleSeconds, SAMPLE_BATCH, SAMPLE_STEPS, sampleFlops / 1e9, sampleFlops / peak);

    RamGradient gradient = new RamGradient(network, 1.0);
    AdamW adam = AdamW.of(1e-4, 0);
    Optimizer.State state = Optimizer.State.zerosLike(theta);
    ParameterSet reference = theta.copy();
    ParameterSet old = theta.copy();
    RamItems items = ramItems(network, prompts.subList(0, RAM_ENDPOINTS));
    int rows = RAM_ENDPOINTS * RAM_RENOISINGS;
    gradient.compute(theta, reference, old, items); // warm-up
    int updates = 4;
    double gradientSeconds = 0;
    double optimizerSeconds = 0;
    for (int u = 0; u < updates; u++) {
      long a = System.nanoTime();
      RamGradient.Result result = gradient.compute(theta, reference, old, items);
      long b = System.nanoTime();
      state = adam.step(theta, result.gradientSum(), state);
      long c = System.nanoTime();
      gradientSeconds += (b - a) / 1e9;
      optimizerSeconds += (c - b) / 1e9;
    }
    double perUpdate = (gradientSeconds + optimizerSeconds) / updates;
    double ramFlops = (double) flops.forwardFlops(chars, words) * (2 + 3) * rows / perUpdate;
    out.printf("BENCH model ram_update_items_per_second=%.1f items=%d (endpoints=%d x renoisings=%d) seconds_per_update=%.3f"
        + " gradient_seconds=%.3f adamw_seconds=%.3f model_gflops=%.1f ratio_to_peak=%.2f%n", rows / perUpdate, rows,
        RAM_ENDPOINTS, RAM_RENOISINGS, perUpdate, gradientSeconds / updates, optimizerSeconds / updates, ramFlops / 1e9,
        ramFlops / peak);
    out.printf("BENCH model parameters=%d forward_mflops_per_image=%.1f text_tokens=%d%n", theta.size(),
        flops.forwardFlops(chars, words) / 1e6, chars + words);
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
