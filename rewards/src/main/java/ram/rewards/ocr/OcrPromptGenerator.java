package ram.rewards.ocr;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import ram.rewards.PromptFiles;

/**
 * Generates the text world's prompt sets deterministically: random upper-case words of 2 to 6
 * letters, each in one of a few Flow-GRPO style sentences with the word in double quotes.
 *
 * <p>Words use the 24 letters other than I and O, which small renders confuse with l/1 and 0
 * (docs/stack.md). Every word is unique and train and test share no word, so the test set
 * measures spelling new words, not recalling seen ones.
 *
 * <p>Run {@code main [outDir]} to rewrite {@code prompts/ocr/train.jsonl} and {@code test.jsonl}.
 */
public final class OcrPromptGenerator {

  public static final long SEED = 20251125L;
  public static final int TRAIN_SIZE = 1000;
  public static final int TEST_SIZE = 200;
  /** The letters words are made of: A-Z without I and O. */
  public static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  public static final int MIN_LENGTH = 2;
  public static final int MAX_LENGTH = 6;

  private static final String[] TEMPLATES = {
    "a sign that reads \"%s\"",
    "a poster with the text \"%s\"",
    "a label that says \"%s\"",
    "the word \"%s\" painted on a wall",
  };

  /** The two prompt sets. */
  public record Split(List<OcrPrompt> train, List<OcrPrompt> test) {}

  private OcrPromptGenerator() {}

  /** Writes train.jsonl and test.jsonl into {@code args[0]} (default prompts/ocr). */
  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "prompts/ocr");
    Split split = generate(SEED, TRAIN_SIZE, TEST_SIZE);
    PromptFiles.writeSplit(dir, split.train().stream().map(p -> p.toJson().toString()).toList(),
        split.test().stream().map(p -> p.toJson().toString()).toList());
  }

  /** Generates both sets; the same arguments always give the same prompts in the same order. */
  public static Split generate(long seed, int trainSize, int testSize) {
    Random random = new Random(seed);
    Set<String> words = new LinkedHashSet<>();
    while (words.size() < trainSize + testSize) {
      words.add(randomWord(random));
    }
    List<OcrPrompt> all = new ArrayList<>();
    for (String word : words) {
      all.add(promptFor(word, random));
    }
    return new Split(List.copyOf(all.subList(0, trainSize)), List.copyOf(all.subList(trainSize, all.size())));
  }

  /** A prompt asking for {@code word} in one of the sentence templates, picked by {@code random}. */
  public static OcrPrompt promptFor(String word, Random random) {
    return new OcrPrompt(String.format(TEMPLATES[random.nextInt(TEMPLATES.length)], word), word);
  }

  /** A random word of 2 to 6 letters from {@link #ALPHABET}. */
  public static String randomWord(Random random) {
    int length = MIN_LENGTH + random.nextInt(MAX_LENGTH - MIN_LENGTH + 1);
    StringBuilder word = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      word.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return word.toString();
  }
}
