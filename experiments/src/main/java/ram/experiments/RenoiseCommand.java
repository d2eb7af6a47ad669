package ram.experiments;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import ram.config.ConfigException;
import ram.model.Noise;
import ram.model.OdeSampler;
import ram.rewards.PromptFiles;
import ram.rewards.geneval.Detection;
import ram.rewards.geneval.GenEvalPrompt;
import ram.rewards.geneval.ShapeClass;
import ram.rewards.geneval.ShapeDetector;
import ram.rewards.geneval.ShapeRenderer;
import ram.rewards.image.ImageTensors;
import ram.rewards.ocr.OcrFormula;
import ram.rewards.ocr.OcrPrompt;
import ram.rewards.ocr.OcrReward;
import ram.rewards.ocr.TextRenderer;
import ram.runners.cli.SampleCommand;
import ram.runners.report.ImageGrid;
import ram.runners.train.ImageModels;

/**
 * {@code experiments/run renoise [--world shapes|text] [--checkpoint DIR] [--n 40] [--cfg_scale w] [--steps N] [--time_shift s] [--out FILE.png]}:
 * does the model keep a shape (or a word) it is handed? Ground-truth renders of held-out prompts
 * are re-noised to {@code t0 = 0, 0.3, 0.5, 0.7, 0.85, 1} as in pretraining and integrated back by
 * the sampler. Shapes (one-object prompts): the detector says whether the most confident object
 * still has the asked class ({@code kept}). Text: the mean OCR reward of what comes back
 * ({@code ocr}). A model that loses them even from small {@code t0} cannot draw the detail; one that
 * keeps them there but not from noise lacks the decisions of high noise.
 */
final class RenoiseCommand {

  static final double[] START_TIMES = {0.0, 0.3, 0.5, 0.7, 0.85, 1.0};
  private static final List<String> KEYS = List.of("world", "checkpoint", "n", "out", "cfg_scale", "steps", "time_shift");
  private static final String PROMPTS = "prompts/geneval/test.jsonl";
  private static final String TEXT_PROMPTS = "prompts/ocr/test.jsonl";
  private static final int GRID_ROWS = 8;

  private RenoiseCommand() {}

  static void run(String[] args, Path home, PrintStream out) {
    Map<String, String> a = ProbeArgs.options("renoise", args, KEYS);
    Path checkpoint = SampleCommand.resolve(home, a.getOrDefault("checkpoint", SampleCommand.DEFAULT_CHECKPOINT), true);
    int n = ProbeArgs.positiveInt("renoise", a, "n", 40);
    OdeSampler sampler = new OdeSampler(ProbeArgs.positiveInt("renoise", a, "steps", SampleCommand.DEFAULT_STEPS),
        ProbeArgs.number("renoise", a, "cfg_scale", SampleCommand.DEFAULT_CFG),
        ProbeArgs.number("renoise", a, "time_shift", SampleCommand.DEFAULT_SHIFT));
    Path file = a.containsKey("out") ? SampleCommand.resolve(home, a.get("out"), false) : home.resolve("outputs/renoise.png");
    String world = a.getOrDefault("world", "shapes");
    if (!world.equals("shapes") && !world.equals("text")) {
      throw new ConfigException("renoise: --world must be shapes or text, got '" + world + "'");
    }
    ImageModels.Loaded model = ImageModels.load(checkpoint);
    int[] shape = model.network().sampleShape();
    List<String> texts;
    List<float[]> truths = new ArrayList<>();
    Score score;
    String metric;
    OcrReward ocr = null;
    if (world.equals("shapes")) {
      List<GenEvalPrompt> prompts = oneObjectPrompts(home.resolve(PROMPTS), n);
      ShapeRenderer renderer = new ShapeRenderer();
      for (int i = 0; i < prompts.size(); i++) {
        truths.add(ImageTensors.toTensor(renderer.render(prompts.get(i), new Random(i))));
      }
      texts = prompts.stream().map(GenEvalPrompt::prompt).toList();
      ShapeDetector detector = new ShapeDetector();
      score = (i, image) -> keepsClass(detector, image, shape, prompts.get(i)) ? 1 : 0;
      metric = "kept";
    } else {
      List<OcrPrompt> prompts = PromptFiles.read(home.resolve(TEXT_PROMPTS), OcrPrompt::parse).stream().limit(n).toList();
      TextRenderer renderer = new TextRenderer();
      for (int i = 0; i < prompts.size(); i++) {
        truths.add(ImageTensors.toTensor(renderer.render(prompts.get(i).text(), new Random(i))));
      }
      texts = prompts.stream().map(OcrPrompt::prompt).toList();
      ocr = new OcrReward();
      OcrReward reader = ocr;
      score = (i, image) -> OcrFormula.reward(prompts.get(i).text(), reader.read(image, shape));
      metric = "ocr";
    }
    out.printf("renoise: %d held-out %s prompts, %s (%s)%n", texts.size(), world.equals("shapes") ? "one-object" : "text", checkpoint,
        model.network().architecture());
    List<List<float[]>> columns = new ArrayList<>();
    try {
      for (double t0 : START_TIMES) {
        columns.add(integrateBack(model, sampler, truths, texts, t0, score, metric, out));
      }
    } finally {
      if (ocr != null) {
        ocr.close();
      }
    }
    List<float[]> grid = new ArrayList<>();
    for (int r = 0; r < Math.min(GRID_ROWS, texts.size()); r++) {
      for (List<float[]> column : columns) {
        grid.add(column.get(r));
      }
    }
    ImageGrid.write(file, grid, model.network().sampleShape(), START_TIMES.length, 4);
    out.println("wrote " + file + " (rows: prompts; columns: t0 = "
        + java.util.Arrays.stream(START_TIMES).mapToObj(t -> String.format(Locale.ROOT, "%.2f", t)).collect(java.util.stream.Collectors.joining(", ")) + ")");
  }

  /** Renders re-noised to {@code t0} and integrated back to {@code t = 0}; prints their mean score. */
  private static List<float[]> integrateBack(ImageModels.Loaded model, OdeSampler sampler, List<float[]> truths, List<String> texts,
      double t0, Score score, String metric, PrintStream out) {
    int dim = model.network().sampleSize();
    float[] start = new float[texts.size() * dim];
    for (int i = 0; i < texts.size(); i++) {
      float[] x = truths.get(i);
      float[] eps = Noise.gaussian(Noise.seed(1000, i), dim);
      for (int k = 0; k < dim; k++) {
        start[i * dim + k] = (float) ((1 - t0) * x[k] + t0 * eps[k]);
      }
    }
    float[] back = sampler.integrate(model.network(), model.theta(), start, t0, texts);
    double sum = 0;
    List<float[]> column = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      float[] image = java.util.Arrays.copyOfRange(back, i * dim, (i + 1) * dim);
      sum += score.of(i, image);
      column.add(image);
    }
    out.printf(Locale.ROOT, "RESULT renoise_t%.2f_%s=%.4f%n", t0, metric, sum / texts.size());
    return column;
  }

  /** The score of the image returned for prompt {@code i}. */
  private interface Score {
    double of(int i, float[] image);
  }

  /** Whether the detector's most confident object has the prompt's (only) class. */
  static boolean keepsClass(ShapeDetector detector, float[] image, int[] shape, GenEvalPrompt prompt) {
    return detector.detect(image, shape).stream().max(Comparator.comparingDouble(Detection::confidence))
        .map(d -> d.className().equals(prompt.include().get(0).className())).orElse(false);
  }

  /** The first {@code n} prompts of the file that ask for one object of one class. */
  private static List<GenEvalPrompt> oneObjectPrompts(Path file, int n) {
    List<GenEvalPrompt> all = PromptFiles.read(file, (line, where) -> GenEvalPrompt.parse(line, ShapeClass.words(), where));
    List<GenEvalPrompt> chosen = all.stream()
        .filter(p -> p.include().size() == 1 && p.include().get(0).count() == 1).limit(n).toList();
    if (chosen.isEmpty()) {
      throw new ConfigException(file + ": no prompt asks for exactly one object");
    }
    return chosen;
  }
}
