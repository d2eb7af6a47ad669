package ram.runners;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import ram.model.EulerSampler;
import ram.model.Noise;
import ram.rewards.RewardInput;
import ram.rewards.RewardResult;
import ram.rewards.geneval.GenEvalPrompt;
import ram.rewards.geneval.GenEvalReward;
import ram.rewards.geneval.GenEvalScore;
import ram.rewards.geneval.ShapeRenderer;
import ram.rewards.image.ImageTensors;
import ram.rewards.ocr.OcrPrompt;
import ram.rewards.ocr.OcrReward;
import ram.rewards.ocr.TextRenderer;

/**
 * {@code ram evaluate <config>}: the headroom of an image base model. Samples the held-out test
 * prompts of both worlds ({@code eval_samples} of each, in file order, cycling if needed) with
 * fixed per-image seeds and the config's sampler, scores GenEval (mean score, strict accuracy,
 * per tag) and OCR (mean reward), scores ground-truth renders of the same prompts as the ceiling,
 * and writes PNG grids of the first 16 prompts of each world to {@code <output_dir>} (default
 * {@code outputs/base-eval}), with the prompts in a text file next to them.
 */
final class BaseEvaluation {

  private static final int GRID = 16;
  private static final int BATCH = 25;

  private BaseEvaluation() {}

  static void run(RunConfig config, Path home, PrintStream out) {
    ImageModels.Loaded model = ImageModels.load(config.path("base_checkpoint", home));
    int n = config.getInt("eval_samples");
    long seed = config.getLong("eval_seed");
    EulerSampler sampler = new EulerSampler(config.getInt("sample_steps"), config.getDouble("cfg_scale"), config.getDouble("time_shift"));
    Path dir = config.has("output_dir") ? config.path("output_dir", home) : home.resolve("outputs/base-eval");
    List<GenEvalPrompt> shapes = cycle(WorldMixtureData.readShapes(home.resolve("prompts/geneval/test.jsonl")), n);
    List<OcrPrompt> texts = cycle(WorldMixtureData.readTexts(home.resolve("prompts/ocr/test.jsonl")), n);
    int[] shape = model.network().sampleShape();
    out.printf("evaluate %s (%s): %d shapes + %d text prompts, %s steps, cfg %.2f, shift %.2f%n", model.dir(),
        model.network().architecture(), n, n, config.getInt("sample_steps"), config.getDouble("cfg_scale"), config.getDouble("time_shift"));

    long t0 = System.nanoTime();
    List<float[]> shapeImages = ImageModels.sample(model, sampler, shapes.stream().map(GenEvalPrompt::prompt).toList(),
        Noise.seed(seed, 1), BATCH);
    List<float[]> textImages = ImageModels.sample(model, sampler, texts.stream().map(OcrPrompt::prompt).toList(),
        Noise.seed(seed, 2), BATCH);
    double sampleSeconds = (System.nanoTime() - t0) / 1e9;

    List<float[]> shapeTruth = new ArrayList<>();
    List<float[]> textTruth = new ArrayList<>();
    ShapeRenderer shapeRenderer = new ShapeRenderer();
    TextRenderer textRenderer = new TextRenderer();
    for (int i = 0; i < n; i++) {
      shapeTruth.add(ImageTensors.toTensor(shapeRenderer.render(shapes.get(i), new Random(Noise.seed(seed, 3, i)))));
      textTruth.add(ImageTensors.toTensor(textRenderer.render(texts.get(i).text(), new Random(Noise.seed(seed, 4, i)))));
    }

    Map<String, Double> results = new TreeMap<>();
    results.put("eval_sample_seconds", sampleSeconds);
    results.put("eval_images_per_second", 2 * n / sampleSeconds);
    scoreShapes(shapes, shapeImages, shape, "base", results);
    scoreShapes(shapes, shapeTruth, shape, "truth", results);
    scoreTexts(texts, textImages, shape, "base", results);
    scoreTexts(texts, textTruth, shape, "truth", results);
    results.forEach((k, v) -> out.printf("RESULT %s=%.4f%n", k, v));

    int g = Math.min(GRID, n);
    ImageGrid.write(dir.resolve("geneval_base.png"), shapeImages.subList(0, g), shape, 4, 4);
    ImageGrid.write(dir.resolve("ocr_base.png"), textImages.subList(0, g), shape, 4, 4);
    ImageGrid.write(dir.resolve("geneval_truth.png"), shapeTruth.subList(0, g), shape, 4, 4);
    ImageGrid.write(dir.resolve("ocr_truth.png"), textTruth.subList(0, g), shape, 4, 4);
    StringBuilder prompts = new StringBuilder("# grids are 4 x 4, row-major; prompt i is image i\n");
    for (int i = 0; i < g; i++) {
      prompts.append("geneval ").append(i).append(": ").append(shapes.get(i).prompt()).append('\n');
    }
    for (int i = 0; i < g; i++) {
      prompts.append("ocr ").append(i).append(": ").append(texts.get(i).prompt()).append('\n');
    }
    StringBuilder summary = new StringBuilder();
    results.forEach((k, v) -> summary.append(k).append('=').append(String.format("%.4f", v)).append('\n'));
    try {
      Files.writeString(dir.resolve("prompts.txt"), prompts, StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("results.txt"), summary, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
    }
    out.println("wrote grids and results to " + dir);
  }

  private static <T> List<T> cycle(List<T> items, int n) {
    List<T> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(items.get(i % items.size()));
    }
    return out;
  }

  private static void scoreShapes(List<GenEvalPrompt> prompts, List<float[]> images, int[] shape, String who,
      Map<String, Double> results) {
    GenEvalReward reward = new GenEvalReward();
    double score = 0;
    double strict = 0;
    Map<String, double[]> perTag = new TreeMap<>();
    for (int i = 0; i < images.size(); i++) {
      GenEvalPrompt p = prompts.get(i);
      GenEvalScore s = reward.evaluate(new RewardInput("eval-" + i, images.get(i), shape, p.prompt(), p.toJson().toString()));
      score += s.score();
      strict += s.strict() ? 1 : 0;
      double[] tag = perTag.computeIfAbsent(p.tag().toString().toLowerCase(), k -> new double[2]);
      tag[0] += s.strict() ? 1 : 0;
      tag[1]++;
    }
    results.put(who + "_geneval_score_mean", score / images.size());
    results.put(who + "_geneval_strict", strict / images.size());
    perTag.forEach((tag, v) -> results.put(who + "_geneval_strict_" + tag, v[0] / v[1]));
    reward.close();
  }

  private static void scoreTexts(List<OcrPrompt> prompts, List<float[]> images, int[] shape, String who, Map<String, Double> results) {
    try (OcrReward reward = new OcrReward()) {
      List<RewardInput> inputs = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        inputs.add(new RewardInput("eval-" + i, images.get(i), shape, prompts.get(i).prompt(), null));
      }
      double sum = 0;
      int errors = 0;
      for (RewardResult r : reward.score(inputs)) {
        if (r.ok()) {
          sum += r.value();
        } else {
          errors++;
        }
      }
      results.put(who + "_ocr_mean", sum / images.size());
      results.put(who + "_ocr_errors", (double) errors);
    }
  }
}
