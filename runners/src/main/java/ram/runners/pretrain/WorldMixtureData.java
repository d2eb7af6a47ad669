package ram.runners.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import ram.model.ConfigNames;
import ram.model.Noise;
import ram.model.TrainingData;
import ram.rewards.PromptFiles;
import ram.rewards.geneval.GenEvalPrompt;
import ram.rewards.geneval.ShapeClass;
import ram.rewards.geneval.ShapeRenderer;
import ram.rewards.image.ImageTensors;
import ram.rewards.ocr.OcrPrompt;
import ram.rewards.ocr.OcrPromptGenerator;
import ram.rewards.ocr.TextRenderer;

/**
 * Pretraining data for the image model: ground-truth renders of the two synthetic worlds, drawn
 * on the fly. Each item picks a world (shapes with probability {@code shapesShare}), a training
 * prompt of that world uniformly, and renders it with its own random layout and colours, so no
 * two epochs see the same images. Deterministic for a seed; a 32 x 32 render costs tens of
 * microseconds, nothing next to a training step.
 *
 * <p>With {@link Words#FRESH}, a text item asks for a freshly drawn random word (never one of the
 * held-out words) instead of one of the 1000 training words: a model that has seen only 1000
 * words can get by memorising them, where the held-out words ask it to draw letters it has
 * learned one by one.
 */
public final class WorldMixtureData implements TrainingData {

  /** Which words the text items ask for: the training prompts' words, or fresh random words. */
  public enum Words {
    TRAIN, FRESH;

    /** {@code train} or {@code fresh}. */
    public static Words parse(String name) {
      return ConfigNames.parse(values(), name, "pretrain_words");
    }
  }

  private final List<GenEvalPrompt> shapes;
  private final List<OcrPrompt> texts;
  private final double shapesShare;
  private final Set<String> heldOutWords; // null: the training prompts' words only
  private final ShapeRenderer shapeRenderer = new ShapeRenderer();
  private final TextRenderer textRenderer = new TextRenderer();

  /** Text items ask for the words of {@code texts}, or, with {@code heldOutWords} not null, for fresh words not in it. */
  public WorldMixtureData(List<GenEvalPrompt> shapes, List<OcrPrompt> texts, double shapesShare, Set<String> heldOutWords) {
    if (shapes.isEmpty() || texts.isEmpty()) {
      throw new IllegalArgumentException("mixture data needs prompts of both worlds");
    }
    this.shapes = shapes;
    this.texts = texts;
    this.shapesShare = shapesShare;
    this.heldOutWords = heldOutWords;
  }

  /**
   * The mixture of {@code prompts/geneval/train.jsonl} and {@code prompts/ocr/train.jsonl} under
   * {@code home}; with {@link Words#FRESH}, text items avoid the words of {@code prompts/ocr/test.jsonl}.
   */
  public static WorldMixtureData load(Path home, double shapesShare, Words words) {
    Set<String> heldOut = words == Words.FRESH
        ? readTexts(home.resolve("prompts/ocr/test.jsonl")).stream().map(OcrPrompt::text).collect(Collectors.toSet())
        : null;
    return new WorldMixtureData(readShapes(home.resolve("prompts/geneval/train.jsonl")),
        readTexts(home.resolve("prompts/ocr/train.jsonl")), shapesShare, heldOut);
  }

  public static List<GenEvalPrompt> readShapes(Path file) {
    return PromptFiles.read(file, (line, where) -> GenEvalPrompt.parse(line, ShapeClass.words(), where));
  }

  public static List<OcrPrompt> readTexts(Path file) {
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
        OcrPrompt p = heldOutWords == null ? texts.get(random.nextInt(texts.size())) : freshPrompt(random);
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

  private OcrPrompt freshPrompt(Random random) {
    String word = OcrPromptGenerator.randomWord(random);
    while (heldOutWords.contains(word)) {
      word = OcrPromptGenerator.randomWord(random);
    }
    return OcrPromptGenerator.promptFor(word, random);
  }
}
