package ram.rewards.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import ram.rewards.RewardInput;
import ram.rewards.image.Canvas;
import ram.rewards.image.ImageTensors;

/**
 * {@link PairOutcome} on ground-truth renders: a render of the prompt shows both classes; renders
 * of other prompts, judged against it, show one class twice, one once, or neither.
 */
class PairOutcomeTest {

  private static final String PAIR =
      "{\"prompt\":\"a circle and a square\",\"tag\":\"two_object\",\"include\":[{\"class\":\"circle\",\"count\":1},{\"class\":\"square\",\"count\":1}]}";
  private final GenEvalReward reward = new GenEvalReward();
  private final ShapeRenderer renderer = new ShapeRenderer();

  private static GenEvalPrompt prompt(String json) {
    return GenEvalPrompt.parse(json, ShapeClass.words(), "test");
  }

  /** The outcome, under the pair prompt, of a render of {@code drawn}. */
  private PairOutcome outcomeOfRender(String drawn, long seed) {
    float[] image = ImageTensors.toTensor(renderer.render(prompt(drawn), new Random(seed)));
    return reward.pairOutcome(new RewardInput("s", image, new int[] {3, Canvas.SIZE, Canvas.SIZE}, "p", PAIR));
  }

  @Test
  void rendersOfOtherPromptsShowEachOutcome() {
    for (long seed = 0; seed < 5; seed++) {
      assertEquals(PairOutcome.BOTH, outcomeOfRender(PAIR, seed));
      assertEquals(PairOutcome.ONE_TWICE, outcomeOfRender(
          "{\"prompt\":\"x\",\"tag\":\"counting\",\"include\":[{\"class\":\"square\",\"count\":2}]}", seed));
      assertEquals(PairOutcome.ONE_ONCE, outcomeOfRender(
          "{\"prompt\":\"x\",\"tag\":\"two_object\",\"include\":[{\"class\":\"circle\",\"count\":1},{\"class\":\"star\",\"count\":1}]}", seed));
      assertEquals(PairOutcome.NEITHER, outcomeOfRender(
          "{\"prompt\":\"x\",\"tag\":\"two_object\",\"include\":[{\"class\":\"cross\",\"count\":1},{\"class\":\"star\",\"count\":1}]}", seed));
    }
  }

  @Test
  void onlyPromptsForOneObjectOfEachOfTwoClassesAreJudged() {
    assertTrue(PairOutcome.applies(prompt(PAIR)));
    assertTrue(PairOutcome.applies(prompt(
        "{\"prompt\":\"x\",\"tag\":\"position\",\"include\":[{\"class\":\"star\",\"count\":1},{\"class\":\"cross\",\"count\":1,\"position\":[\"left of\",0]}]}")));
    String counting = "{\"prompt\":\"x\",\"tag\":\"counting\",\"include\":[{\"class\":\"star\",\"count\":3}]}";
    String sameClass = "{\"prompt\":\"x\",\"tag\":\"color_attr\",\"include\":[{\"class\":\"star\",\"count\":1,\"color\":\"red\"},"
        + "{\"class\":\"star\",\"count\":1,\"color\":\"blue\"}]}";
    assertFalse(PairOutcome.applies(prompt(counting)));
    assertFalse(PairOutcome.applies(prompt(sameClass)));
    float[] blank = new float[3 * Canvas.SIZE * Canvas.SIZE];
    assertNull(reward.pairOutcome(new RewardInput("s", blank, new int[] {3, Canvas.SIZE, Canvas.SIZE}, "p", counting)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PairOutcome.of(prompt(counting), java.util.List.of()));
    assertTrue(e.getMessage().contains("not a prompt for one object each of two classes"), e.getMessage());
  }
}
