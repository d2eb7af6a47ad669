package ram.runners;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import ram.model.Noise;
import ram.model.OdeSampler;
import ram.rewards.PromptFiles;
import ram.rewards.geneval.Detection;
import ram.rewards.geneval.GenEvalPrompt;
import ram.rewards.geneval.ShapeClass;
import ram.rewards.geneval.ShapeDetector;
import ram.rewards.geneval.ShapeRenderer;
import ram.rewards.image.ImageTensors;

/**
 * {@code ram renoise [--checkpoint DIR] [--n 40] [--cfg_scale w] [--steps N] [--time_shift s] [--out FILE.png]}:
 * does the model keep a shape it is handed? Ground-truth renders of held-out one-object prompts are
 * re-noised to {@code t0 = 0, 0.3, 0.5, 0.7, 0.85, 1} as in pretraining and integrated back by the
 * sampler; the shapes detector then says whether the most confident object still has the asked
 * class. A model that loses shapes even from small {@code t0} lacks fine geometry; one that keeps
 * them there but not from noise lacks the layout decisions of high noise.
 */
final class RenoiseCommand {

  static final double[] START_TIMES = {0.0, 0.3, 0.5, 0.7, 0.85, 1.0};
  private static final List<String> KEYS = List.of("checkpoint", "n", "out", "cfg_scale", "steps", "time_shift");
  private static final String PROMPTS = "prompts/geneval/test.jsonl";
  private static final int GRID_ROWS = 8;

  private RenoiseCommand() {}

  static void run(String[] args, Path home, PrintStream out) {
    Map<String, String> a = SampleCommand.options("renoise", args, KEYS);
    Path checkpoint = SampleCommand.resolve(home, a.getOrDefault("checkpoint", SampleCommand.DEFAULT_CHECKPOINT), true);
    int n = SampleCommand.positiveInt("renoise", a, "n", 40);
    OdeSampler sampler = new OdeSampler(SampleCommand.positiveInt("renoise", a, "steps", SampleCommand.DEFAULT_STEPS),
        SampleCommand.number("renoise", a, "cfg_scale", SampleCommand.DEFAULT_CFG),
        SampleCommand.number("renoise", a, "time_shift", SampleCommand.DEFAULT_SHIFT));
    Path file = a.containsKey("out") ? SampleCommand.resolve(home, a.get("out"), false) : home.resolve("outputs/renoise.png");
    List<GenEvalPrompt> prompts = oneObjectPrompts(home.resolve(PROMPTS), n);
    ImageModels.Loaded model = ImageModels.load(checkpoint);
    int dim = model.network().sampleSize();
    ShapeRenderer renderer = new ShapeRenderer();
    ShapeDetector detector = new ShapeDetector();
    List<float[]> truths = new ArrayList<>();
    for (int i = 0; i < prompts.size(); i++) {
      truths.add(ImageTensors.toTensor(renderer.render(prompts.get(i), new Random(i))));
    }
    List<List<float[]>> columns = new ArrayList<>();
    out.printf("renoise: %d held-out one-object prompts, %s (%s)%n", prompts.size(), checkpoint, model.network().architecture());
    List<String> texts = prompts.stream().map(GenEvalPrompt::prompt).toList();
    for (double t0 : START_TIMES) {
      float[] start = new float[prompts.size() * dim];
      for (int i = 0; i < prompts.size(); i++) {
        float[] x = truths.get(i);
        float[] eps = Noise.gaussian(Noise.seed(1000, i), dim);
        for (int k = 0; k < dim; k++) {
          start[i * dim + k] = (float) ((1 - t0) * x[k] + t0 * eps[k]);
        }
      }
      float[] back = sampler.integrate(model.network(), model.theta(), start, t0, texts);
      int kept = 0;
      List<float[]> column = new ArrayList<>();
      for (int i = 0; i < prompts.size(); i++) {
        float[] image = java.util.Arrays.copyOfRange(back, i * dim, (i + 1) * dim);
        if (keepsClass(detector, image, model.network().sampleShape(), prompts.get(i))) {
          kept++;
        }
        column.add(image);
      }
      columns.add(column);
      out.printf(Locale.ROOT, "RESULT renoise_t%.2f_kept=%.4f%n", t0, kept / (double) prompts.size());
    }
    List<float[]> grid = new ArrayList<>();
    for (int r = 0; r < Math.min(GRID_ROWS, prompts.size()); r++) {
      for (List<float[]> column : columns) {
        grid.add(column.get(r));
      }
    }
    ImageGrid.write(file, grid, model.network().sampleShape(), START_TIMES.length, 4);
    out.println("wrote " + file + " (rows: prompts; columns: t0 = "
        + java.util.Arrays.stream(START_TIMES).mapToObj(t -> String.format(Locale.ROOT, "%.2f", t)).collect(java.util.stream.Collectors.joining(", ")) + ")");
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
