package ram.runners;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import ram.model.Noise;
import ram.model.TrainingData;
import ram.rewards.PromptFiles;
import ram.rewards.geneval.GenEvalPrompt;
import ram.rewards.geneval.ShapeClass;
import ram.rewards.geneval.ShapeRenderer;
import ram.rewards.image.ImageTensors;
import ram.rewards.ocr.OcrPrompt;
import ram.rewards.ocr.TextRenderer;

/**
 * Pretraining data for the image model: ground-truth renders of the two synthetic worlds, drawn
 * on the fly. Each item picks a world (shapes with probability {@code shapesShare}), a training
 * prompt of that world uniformly, and renders it with its own random layout and colours, so no
 * two epochs see the same images. Deterministic for a seed; a 32 x 32 render costs tens of
 * microseconds, nothing next to a training step.
 */
public final class WorldMixtureData implements TrainingData {

  private final List<GenEvalPrompt> shapes;
  private final List<OcrPrompt> texts;
  private final double shapesShare;
  private final ShapeRenderer shapeRenderer = new ShapeRenderer();
  private final TextRenderer textRenderer = new TextRenderer();

  public WorldMixtureData(List<GenEvalPrompt> shapes, List<OcrPrompt> texts, double shapesShare) {
    if (shapes.isEmpty() || texts.isEmpty()) {
      throw new IllegalArgumentException("mixture data needs prompts of both worlds");
    }
    this.shapes = shapes;
    this.texts = texts;
    this.shapesShare = shapesShare;
  }

  /** The mixture of {@code prompts/geneval/<split>.jsonl} and {@code prompts/ocr/<split>.jsonl} under {@code home}. */
  public static WorldMixtureData load(Path home, String split, double shapesShare) {
    return new WorldMixtureData(readShapes(home.resolve("prompts/geneval/" + split + ".jsonl")),
        readTexts(home.resolve("prompts/ocr/" + split + ".jsonl")), shapesShare);
  }

  static List<GenEvalPrompt> readShapes(Path file) {
    return PromptFiles.read(file, (line, where) -> GenEvalPrompt.parse(line, ShapeClass.words(), where));
  }

  static List<OcrPrompt> readTexts(Path file) {
    return PromptFiles.read(file, OcrPrompt::parse);
  }

  @Override
  public Batch draw(long seed, int size) {
    float[] samples = null;
    List<String> prompts = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Random random = new Random(Noise.seed(seed, i));
      float[] image;
      if (random.nextDouble() < shapesShare) {
        GenEvalPrompt p = shapes.get(random.nextInt(shapes.size()));
        image = ImageTensors.toTensor(shapeRenderer.render(p, random));
        prompts.add(p.prompt());
      } else {
        OcrPrompt p = texts.get(random.nextInt(texts.size()));
        image = ImageTensors.toTensor(textRenderer.render(p.text(), random));
        prompts.add(p.prompt());
      }
      if (samples == null) {
        samples = new float[size * image.length];
      }
      System.arraycopy(image, 0, samples, i * image.length, image.length);
    }
    return new Batch(samples, prompts);
  }
}
