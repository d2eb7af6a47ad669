package ram.rewards.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scoring rules of docs/algorithm.md section 6 on hand-written detection lists. */
class GenEvalScorerTest {

  private final GenEvalScorer scorer = new GenEvalScorer();

  /** A 4-pixel box centred at (x, y). */
  private static Detection det(String cls, double x, double y, String color, double conf) {
    return new Detection(cls, x - 2, y - 2, x + 2, y + 2, color, conf);
  }

  private static GenEvalPrompt prompt(GenEvalTag tag, List<IncludeItem> include, List<ExcludeItem> exclude) {
    return new GenEvalPrompt("p", tag, include, exclude);
  }

  @Test
  void singleObject() {
    GenEvalPrompt p = prompt(GenEvalTag.SINGLE_OBJECT, List.of(IncludeItem.of("star", 1)), List.of());
    GenEvalScore hit = scorer.score(p, List.of(det("star", 10, 10, "red", 0.9)));
    assertEquals(1.0, hit.score(), 1e-12);
    assertTrue(hit.strict() && hit.correct());
    GenEvalScore miss = scorer.score(p, List.of(det("circle", 10, 10, "red", 0.9)));
    assertEquals(0.0, miss.score(), 1e-12);
    assertFalse(miss.strict() || miss.correct());
    // below the 0.3 threshold (strictly greater is required): not seen
    assertEquals(0.0, scorer.score(p, List.of(det("star", 10, 10, "red", 0.3))).score(), 1e-12);
  }

  @Test
  void extraObjectsGiveNegativeCreditButStillCountAsCorrect() {
    GenEvalPrompt p = prompt(GenEvalTag.SINGLE_OBJECT, List.of(IncludeItem.of("star", 1)), List.of());
    List<Detection> three = List.of(det("star", 5, 5, null, 0.9), det("star", 15, 5, null, 0.8), det("star", 25, 5, null, 0.7));
    GenEvalScore s = scorer.score(p, three);
    assertEquals(1 - 2.0, s.score(), 1e-12);
    assertFalse(s.strict());
    assertTrue(s.correct(), "GenEval's metric only asks for at least n");
  }

  @Test
  void twoObjects() {
    GenEvalPrompt p = prompt(GenEvalTag.TWO_OBJECT, List.of(IncludeItem.of("star", 1), IncludeItem.of("cross", 1)), List.of());
    assertEquals(1.0, scorer.score(p, List.of(det("star", 5, 5, null, 1), det("cross", 20, 5, null, 1))).score(), 1e-12);
    GenEvalScore half = scorer.score(p, List.of(det("star", 5, 5, null, 1), det("square", 20, 5, null, 1)));
    assertEquals(0.5, half.score(), 1e-12);
    assertFalse(half.strict());
  }

  @Test
  void countingUsesTheHighThresholdAndExclude() {
    GenEvalPrompt p = prompt(GenEvalTag.COUNTING, List.of(IncludeItem.of("circle", 3)), List.of(new ExcludeItem("circle", 4)));
    List<Detection> threeSure = List.of(det("circle", 5, 5, null, 0.95), det("circle", 15, 5, null, 0.95), det("circle", 25, 5, null, 0.95));
    assertEquals(1.0, scorer.score(p, threeSure).score(), 1e-12);
    List<Detection> oneUnsure = List.of(det("circle", 5, 5, null, 0.95), det("circle", 15, 5, null, 0.95), det("circle", 25, 5, null, 0.85));
    GenEvalScore s = scorer.score(p, oneUnsure);
    assertEquals(1 - 1 / 3.0, s.score(), 1e-12);
    assertFalse(s.strict() || s.correct());
    List<Detection> four = new java.util.ArrayList<>(threeSure);
    four.add(det("circle", 25, 25, null, 0.95));
    GenEvalScore tooMany = scorer.score(p, four);
    assertEquals(1 - 1 / 3.0, tooMany.score(), 1e-12);
    assertFalse(tooMany.correct(), "exclude: 4 or more circles is wrong");
  }

  @Test
  void colors() {
    GenEvalPrompt p = prompt(GenEvalTag.COLORS, List.of(IncludeItem.colored("square", 1, "blue")), List.of());
    assertEquals(1.0, scorer.score(p, List.of(det("square", 5, 5, "blue", 1))).score(), 1e-12);
    GenEvalScore wrong = scorer.score(p, List.of(det("square", 5, 5, "green", 1)));
    assertEquals(0.5, wrong.score(), 1e-12);
    assertFalse(wrong.strict() || wrong.correct());
    // count wrong: 1 - |1 - 0| / 1 = 0, then 0 for the colour requirement
    assertEquals(0.0, scorer.score(p, List.of()).score(), 1e-12);
    // two blue squares for one: count credit 0, colour requirement appends 0
    assertEquals(0.0, scorer.score(p, List.of(det("square", 5, 5, "blue", 1), det("square", 20, 5, "blue", 1))).score(), 1e-12);
  }

  @Test
  void colorAttributes() {
    GenEvalPrompt p = prompt(GenEvalTag.COLOR_ATTR, List.of(IncludeItem.colored("star", 1, "red"), IncludeItem.colored("circle", 1, "white")), List.of());
    assertEquals(1.0, scorer.score(p, List.of(det("star", 5, 5, "red", 1), det("circle", 20, 5, "white", 1))).score(), 1e-12);
    GenEvalScore swapped = scorer.score(p, List.of(det("star", 5, 5, "white", 1), det("circle", 20, 5, "red", 1)));
    assertEquals(0.5, swapped.score(), 1e-12);
    assertFalse(swapped.strict());
  }

  @Test
  void positionAndTheReferenceQuirk() {
    GenEvalPrompt p = prompt(GenEvalTag.POSITION, List.of(IncludeItem.of("circle", 1), IncludeItem.placed("star", 1, "left of", 0)), List.of());
    GenEvalScore right = scorer.score(p, List.of(det("circle", 20, 10, null, 1), det("star", 5, 10, null, 1)));
    assertEquals(1.0, right.score(), 1e-12);
    assertTrue(right.strict() && right.correct());
    // violation: the list is [1 (circle count), 1 (star count), 0 (violation), 1 (the quirk's extra 1)]
    GenEvalScore wrong = scorer.score(p, List.of(det("circle", 5, 10, null, 1), det("star", 20, 10, null, 1)));
    assertEquals(3 / 4.0, wrong.score(), 1e-12);
    assertFalse(wrong.strict() || wrong.correct());
    // target missing: [0 (circle count), 1 (star count), 0 (no target)]
    GenEvalScore noTarget = scorer.score(p, List.of(det("star", 20, 10, null, 1)));
    assertEquals(1 / 3.0, noTarget.score(), 1e-12);
    // star count wrong: [1, 0, 0]
    assertEquals(1 / 3.0, scorer.score(p, List.of(det("circle", 5, 10, null, 1))).score(), 1e-12);
  }

  @Test
  void relationsFollowTheReference() {
    Detection centre = det("a", 10, 10, null, 1);
    assertEquals(Set.of("left of"), Relations.of(det("b", 0, 10, null, 1), centre));
    assertEquals(Set.of("right of"), Relations.of(det("b", 20, 10, null, 1), centre));
    assertEquals(Set.of("above"), Relations.of(det("b", 10, 0, null, 1), centre));
    assertEquals(Set.of("below"), Relations.of(det("b", 10, 20, null, 1), centre));
    assertEquals(Set.of("left of", "above"), Relations.of(det("b", 0, 0, null, 1), centre));
    // offsets within 0.1 * (dA + dB) = 0.8 pixels are no relation at all
    assertEquals(Set.of(), Relations.of(det("b", 10.5, 10.5, null, 1), centre));
  }

  @Test
  void keepsAtMostSixteenMostConfidentPerClass() {
    List<Detection> many = new java.util.ArrayList<>();
    for (int i = 0; i < 20; i++) {
      many.add(det("circle", i, 0, null, 0.4 + i * 0.01));
    }
    List<Detection> kept = GenEvalScorer.keep(many, GenEvalScorer.THRESHOLD).get("circle");
    assertEquals(16, kept.size());
    assertEquals(0.59, kept.get(0).confidence(), 1e-9);
  }
}
