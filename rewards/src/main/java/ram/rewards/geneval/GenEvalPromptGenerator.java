package ram.rewards.geneval;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import ram.rewards.PromptFiles;

/**
 * Generates the shapes world's GenEval prompt sets deterministically from a seed, in GenEval's
 * tag proportions (80 : 99 : 80 : 94 : 100 : 100).
 *
 * <p>A prompt's content (its classes, counts, colours, relation) is written with one of three
 * openings ("a photo of", "a picture of", "an image of"), GenEval's wording otherwise. Train and
 * test never share a prompt text. Where a tag has at least three times as many contents as its
 * test quota (color_attr), whole contents are held out for test; where it has fewer (the small
 * combinatorics of single_object, two_object, counting, colors, position), each content keeps
 * one opening for test and the others for train. A file repeats prompts of a tag whose pool is
 * smaller than its quota.
 *
 * <p>Run {@code main [outDir]} to rewrite {@code prompts/geneval/train.jsonl} and {@code test.jsonl}.
 */
public final class GenEvalPromptGenerator {

  /** Seed of the committed prompt files. */
  public static final long SEED = 20251125L;
  public static final int TRAIN_SIZE = 1000;
  public static final int TEST_SIZE = 200;

  private static final String[] OPENINGS = {"a photo of", "a picture of", "an image of"};
  private static final String[] NUMBERS = {"zero", "one", "two", "three", "four"};

  /** The two prompt sets. */
  public record Split(List<GenEvalPrompt> train, List<GenEvalPrompt> test) {}

  private GenEvalPromptGenerator() {}

  /** Writes train.jsonl and test.jsonl into {@code args[0]} (default prompts/geneval). */
  public static void main(String[] args) {
    Path dir = Path.of(args.length > 0 ? args[0] : "prompts/geneval");
    Split split = generate(SEED, TRAIN_SIZE, TEST_SIZE);
    PromptFiles.writeSplit(dir, split.train().stream().map(p -> p.toJson().toString()).toList(),
        split.test().stream().map(p -> p.toJson().toString()).toList());
  }

  /** Generates both sets; the same arguments always give the same prompts in the same order. */
  public static Split generate(long seed, int trainSize, int testSize) {
    Random random = new Random(seed);
    GenEvalTag[] tags = GenEvalTag.values();
    int[] weights = new int[tags.length];
    for (int i = 0; i < tags.length; i++) {
      weights[i] = tags[i].genEvalCount;
    }
    int[] trainQuota = PromptFiles.proportional(trainSize, weights);
    int[] testQuota = PromptFiles.proportional(testSize, weights);
    List<GenEvalPrompt> train = new ArrayList<>();
    List<GenEvalPrompt> test = new ArrayList<>();
    for (int t = 0; t < tags.length; t++) {
      List<List<GenEvalPrompt>> contents = contents(tags[t]);
      Collections.shuffle(contents, random);
      List<GenEvalPrompt> trainPool = new ArrayList<>();
      List<GenEvalPrompt> testPool = new ArrayList<>();
      boolean holdOutContents = contents.size() >= 3 * testQuota[t];
      for (int c = 0; c < contents.size(); c++) {
        List<GenEvalPrompt> variants = contents.get(c);
        if (holdOutContents) {
          if (c < testQuota[t]) {
            testPool.add(variants.get(random.nextInt(variants.size())));
          } else {
            trainPool.addAll(variants);
          }
        } else {
          int held = random.nextInt(variants.size());
          for (int v = 0; v < variants.size(); v++) {
            (v == held ? testPool : trainPool).add(variants.get(v));
          }
        }
      }
      train.addAll(PromptFiles.draw(trainPool, trainQuota[t], random));
      test.addAll(PromptFiles.draw(testPool, testQuota[t], random));
    }
    Collections.shuffle(train, random);
    Collections.shuffle(test, random);
    return new Split(train, test);
  }

  /** Every content of a tag, each as its list of wordings (one per opening). */
  static List<List<GenEvalPrompt>> contents(GenEvalTag tag) {
    List<List<GenEvalPrompt>> all = new ArrayList<>();
    ShapeClass[] classes = ShapeClass.values();
    ColorName[] colors = ColorName.values();
    for (ShapeClass a : classes) {
      switch (tag) {
        case SINGLE_OBJECT -> all.add(variants(tag, "a " + a.word(), List.of(IncludeItem.of(a.word(), 1)), List.of()));
        case COUNTING -> {
          for (int n = 2; n <= 4; n++) {
            all.add(variants(tag, NUMBERS[n] + " " + a.plural(), List.of(IncludeItem.of(a.word(), n)), List.of(new ExcludeItem(a.word(), n + 1))));
          }
        }
        case COLORS -> {
          for (ColorName k : colors) {
            all.add(variants(tag, article(k.word()) + " " + k.word() + " " + a.word(), List.of(IncludeItem.colored(a.word(), 1, k.word())), List.of()));
          }
        }
        default -> {
          for (ShapeClass b : classes) {
            if (a != b) {
              all.addAll(pairContents(tag, a, b));
            }
          }
        }
      }
    }
    return all;
  }

  private static List<List<GenEvalPrompt>> pairContents(GenEvalTag tag, ShapeClass a, ShapeClass b) {
    List<List<GenEvalPrompt>> all = new ArrayList<>();
    switch (tag) {
      case TWO_OBJECT -> all.add(variants(tag, "a " + a.word() + " and a " + b.word(),
          List.of(IncludeItem.of(a.word(), 1), IncludeItem.of(b.word(), 1)), List.of()));
      case POSITION -> {
        for (String relation : Relations.ALL) {
          all.add(variants(tag, "a " + b.word() + " " + relation + " a " + a.word(),
              List.of(IncludeItem.of(a.word(), 1), IncludeItem.placed(b.word(), 1, relation, 0)), List.of()));
        }
      }
      case COLOR_ATTR -> {
        for (ColorName ka : ColorName.values()) {
          for (ColorName kb : ColorName.values()) {
            if (ka != kb) {
              all.add(variants(tag, article(ka.word()) + " " + ka.word() + " " + a.word() + " and " + article(kb.word()) + " " + kb.word() + " " + b.word(),
                  List.of(IncludeItem.colored(a.word(), 1, ka.word()), IncludeItem.colored(b.word(), 1, kb.word())), List.of()));
            }
          }
        }
      }
      default -> throw new IllegalArgumentException("not a two-class tag: " + tag);
    }
    return all;
  }

  private static List<GenEvalPrompt> variants(GenEvalTag tag, String body, List<IncludeItem> include, List<ExcludeItem> exclude) {
    List<GenEvalPrompt> variants = new ArrayList<>();
    for (String opening : OPENINGS) {
      variants.add(new GenEvalPrompt(opening + " " + body, tag, include, exclude));
    }
    return variants;
  }

  private static String article(String word) {
    return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
  }

  /** Counts prompts per tag (for reports). */
  public static Map<GenEvalTag, Integer> countByTag(List<GenEvalPrompt> prompts) {
    Map<GenEvalTag, Integer> counts = new LinkedHashMap<>();
    for (GenEvalTag tag : GenEvalTag.values()) {
      counts.put(tag, 0);
    }
    prompts.forEach(p -> counts.merge(p.tag(), 1, Integer::sum));
    return counts;
  }
}
