package ram.rewards.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ram.rewards.PromptFiles;
import ram.rewards.TestFiles;

/**
 * Validity of the shapes world's GenEval reward: ground-truth renders of the held-out prompts
 * score high, deliberately wrong renders score clearly lower, tag by tag.
 */
class GenEvalValidityTest {

  private static List<GenEvalPrompt> test;
  private final ShapeRenderer renderer = new ShapeRenderer();
  private final ShapeDetector detector = new ShapeDetector();
  private final GenEvalScorer scorer = new GenEvalScorer();

  @BeforeAll
  static void load() {
    test = PromptFiles.read(TestFiles.repo().resolve("prompts/geneval/test.jsonl"), (line, where) -> GenEvalPrompt.parse(line, ShapeClass.words(), where));
  }

  @Test
  void groundTruthRendersScoreHigh() {
    Random random = new Random(11);
    double score = 0;
    double strict = 0;
    double correct = 0;
    int n = 0;
    for (int rep = 0; rep < 3; rep++) {
      for (GenEvalPrompt p : test) {
        GenEvalScore s = scorer.score(p, detector.detect(renderer.render(p, random)));
        score += s.score();
        strict += s.strict() ? 1 : 0;
        correct += s.correct() ? 1 : 0;
        n++;
      }
    }
    System.out.printf("VALIDITY geneval ground-truth renders=%d mean_score=%.4f strict=%.4f correct=%.4f%n", n, score / n, strict / n, correct / n);
    assertTrue(score / n >= 0.98, "mean GenEval score " + score / n);
    assertTrue(strict / n >= 0.95, "strict accuracy " + strict / n);
  }

  @Test
  void wrongRendersScoreClearlyLowerPerTag() {
    Map<GenEvalTag, double[]> sums = new EnumMap<>(GenEvalTag.class);
    Random random = new Random(12);
    for (GenEvalPrompt p : test) {
      GenEvalPrompt wrong = wrongVersion(p);
      GenEvalScore s = scorer.score(p, detector.detect(renderer.render(wrong, random)));
      double[] sum = sums.computeIfAbsent(p.tag(), t -> new double[3]);
      sum[0] += s.score();
      sum[1] += s.strict() ? 1 : 0;
      sum[2]++;
    }
    for (Map.Entry<GenEvalTag, double[]> e : sums.entrySet()) {
      double mean = e.getValue()[0] / e.getValue()[2];
      double strict = e.getValue()[1] / e.getValue()[2];
      System.out.printf("VALIDITY geneval wrong-render tag=%s mean_score=%.4f strict=%.4f%n", e.getKey().word(), mean, strict);
      assertTrue(mean <= 0.8, e.getKey() + " wrong renders score " + mean);
      assertTrue(strict <= 0.05, e.getKey() + " wrong renders strict " + strict);
    }
    assertEquals(GenEvalTag.values().length, sums.size());
  }

  /** The prompt with one deliberate error of the kind its tag tests. */
  static GenEvalPrompt wrongVersion(GenEvalPrompt p) {
    List<IncludeItem> items = new ArrayList<>(p.include());
    IncludeItem first = items.get(0);
    switch (p.tag()) {
      case SINGLE_OBJECT -> items.set(0, IncludeItem.of(otherClass(first.className(), items), 1));
      case TWO_OBJECT -> items.set(1, IncludeItem.of(otherClass(items.get(1).className(), items), 1));
      case COUNTING -> items.set(0, IncludeItem.of(first.className(), first.count() == 4 ? 3 : first.count() + 1));
      case COLORS -> items.set(0, IncludeItem.colored(first.className(), 1, otherColor(first.color())));
      case POSITION -> items.set(1, IncludeItem.placed(items.get(1).className(), 1, opposite(items.get(1).relation()), 0));
      case COLOR_ATTR -> {
        items.set(0, IncludeItem.colored(first.className(), 1, items.get(1).color()));
        items.set(1, IncludeItem.colored(items.get(1).className(), 1, first.color()));
      }
      default -> throw new IllegalStateException();
    }
    return new GenEvalPrompt(p.prompt(), p.tag(), items, List.of());
  }

  private static String otherClass(String cls, List<IncludeItem> used) {
    for (ShapeClass c : ShapeClass.values()) {
      if (used.stream().noneMatch(i -> i.className().equals(c.word())) && !c.word().equals(cls)) {
        return c.word();
      }
    }
    throw new IllegalStateException();
  }

  private static String otherColor(String color) {
    ColorName[] all = ColorName.values();
    return all[(ColorName.byWord(color).ordinal() + 3) % all.length].word();
  }

  private static String opposite(String relation) {
    UnaryOperator<String> flip = r -> switch (r) {
      case Relations.LEFT_OF -> Relations.RIGHT_OF;
      case Relations.RIGHT_OF -> Relations.LEFT_OF;
      case Relations.ABOVE -> Relations.BELOW;
      default -> Relations.ABOVE;
    };
    return flip.apply(relation);
  }

  @Test
  void detectorFindsClassColourAndBoxOfASingleObject() {
    GenEvalPrompt p = new GenEvalPrompt("a photo of a green star", GenEvalTag.COLORS, List.of(IncludeItem.colored("star", 1, "green")), List.of());
    BufferedImage image = renderer.render(p, new Random(3));
    List<Detection> found = detector.detect(image);
    assertEquals(1, found.size());
    Detection d = found.get(0);
    assertEquals("star", d.className());
    assertEquals("green", d.color());
    assertTrue(d.confidence() > 0.9, "confidence " + d.confidence());
    assertTrue(d.width() >= 9 && d.width() <= 16, "box width " + d.width());
  }

  @Test
  void strictRewardPaysOnlyForEveryRequirementMet() {
    String pair = "{\"prompt\":\"x\",\"tag\":\"two_object\",\"include\":[{\"class\":\"circle\",\"count\":1},{\"class\":\"square\",\"count\":1}]}";
    String circleOnly = "{\"prompt\":\"x\",\"tag\":\"single_object\",\"include\":[{\"class\":\"circle\",\"count\":1}]}";
    ram.rewards.Reward partial = ram.rewards.RewardRegistry.create(GenEvalReward.NAME);
    ram.rewards.Reward strict = ram.rewards.RewardRegistry.create(GenEvalReward.STRICT_NAME);
    assertEquals("geneval_strict", strict.name());
    List<ram.rewards.RewardInput> inputs = new ArrayList<>();
    for (String drawn : List.of(pair, circleOnly)) {
      float[] image = ram.rewards.image.ImageTensors.toTensor(renderer.render(GenEvalPrompt.parse(drawn, ShapeClass.words(), "test"), new Random(5)));
      inputs.add(new ram.rewards.RewardInput(drawn, image, new int[] {3, 32, 32}, "x", pair));
    }
    assertEquals(List.of(1.0, 0.5), partial.score(inputs).stream().map(ram.rewards.RewardResult::value).toList());
    assertEquals(List.of(1.0, 0.0), strict.score(inputs).stream().map(ram.rewards.RewardResult::value).toList());
  }

  @Test
  void colourNamesOfRenderColoursRoundTrip() {
    for (ColorName c : ColorName.values()) {
      assertEquals(c, ColorName.classify(c.renderColor().getRed(), c.renderColor().getGreen(), c.renderColor().getBlue()), c.word());
    }
  }
}
