package ram.rewards;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import ram.rewards.geneval.GenEvalPrompt;
import ram.rewards.geneval.GenEvalPromptGenerator;
import ram.rewards.geneval.ShapeRenderer;
import ram.rewards.image.ImageTensors;
import ram.rewards.ocr.OcrPrompt;
import ram.rewards.ocr.OcrPromptGenerator;
import ram.rewards.ocr.TextRenderer;

/**
 * Measures the throughput of the image rewards (geneval, ocr, compressibility) on ground-truth
 * renders, one thread, in batches of 32, after a short warm-up. Prints one line per reward:
 * {@code BENCH reward=ocr images=200 seconds=1.234 images_per_s=162.1}.
 */
public final class RewardBenchmark {

  private static final int BATCH = 32;

  private RewardBenchmark() {}

  /** Benchmarks with {@code args[0]} images per reward (default 200). */
  public static void main(String[] args) {
    run(System.out, args.length > 0 ? Integer.parseInt(args[0]) : 200);
  }

  /** Benchmarks each image reward on {@code images} ground-truth renders and prints one line each. */
  public static void run(PrintStream out, int images) {
    if (images < 1) {
      throw new IllegalArgumentException("images must be >= 1, got " + images);
    }
    bench(out, "geneval", shapeInputs(images));
    bench(out, "ocr", textInputs(images));
    bench(out, "compressibility", shapeInputs(images));
  }

  private static void bench(PrintStream out, String name, List<RewardInput> inputs) {
    try (Reward reward = RewardRegistry.create(name)) {
      reward.score(inputs.subList(0, Math.min(inputs.size(), 16)));
      long start = System.nanoTime();
      int failed = 0;
      for (int i = 0; i < inputs.size(); i += BATCH) {
        for (RewardResult r : reward.score(inputs.subList(i, Math.min(inputs.size(), i + BATCH)))) {
          failed += r.ok() ? 0 : 1;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      out.printf(Locale.ROOT, "BENCH reward=%s images=%d seconds=%.3f images_per_s=%.1f failed=%d%n",
          name, inputs.size(), seconds, inputs.size() / seconds, failed);
    }
  }

  /** Ground-truth renders of the held-out GenEval prompts, cycled to {@code count}. */
  static List<RewardInput> shapeInputs(int count) {
    List<GenEvalPrompt> prompts = GenEvalPromptGenerator.generate(GenEvalPromptGenerator.SEED, GenEvalPromptGenerator.TRAIN_SIZE, GenEvalPromptGenerator.TEST_SIZE).test();
    ShapeRenderer renderer = new ShapeRenderer();
    Random random = new Random(1);
    List<RewardInput> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      GenEvalPrompt p = prompts.get(i % prompts.size());
      var image = renderer.render(p, random);
      inputs.add(new RewardInput("bench-" + i, ImageTensors.toTensor(image), ImageTensors.shapeOf(image), p.prompt(), p.toJson().toString()));
    }
    return inputs;
  }

  /** Ground-truth renders of the held-out OCR prompts, cycled to {@code count}. */
  static List<RewardInput> textInputs(int count) {
    List<OcrPrompt> prompts = OcrPromptGenerator.generate(OcrPromptGenerator.SEED, OcrPromptGenerator.TRAIN_SIZE, OcrPromptGenerator.TEST_SIZE).test();
    TextRenderer renderer = new TextRenderer();
    Random random = new Random(1);
    List<RewardInput> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      OcrPrompt p = prompts.get(i % prompts.size());
      var image = renderer.render(p.text(), random);
      inputs.add(new RewardInput("bench-" + i, ImageTensors.toTensor(image), ImageTensors.shapeOf(image), p.prompt(), null));
    }
    return inputs;
  }
}
