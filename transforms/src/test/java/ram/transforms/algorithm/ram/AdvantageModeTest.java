package ram.transforms.algorithm.ram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;


/** Each advantage mode of RAM on hand-picked rewards, and an unknown mode named in its error. */
class AdvantageModeTest {

  @Test
  void groupNormalizedIsTheRewardAboveItsGroupOverTheEpochStd() {
    assertEquals((0.9 - 0.5) / (0.2 + 1e-4), AdvantageMode.GROUP_NORMALIZED.of(0.9, 0.5, 0.9, 0.2), 1e-12);
    assertEquals((0.1 - 0.5) / (0.2 + 1e-4), AdvantageMode.GROUP_NORMALIZED.of(0.1, 0.5, 0.9, 0.2), 1e-12);
    assertEquals(0.0, AdvantageMode.GROUP_NORMALIZED.of(0.5, 0.5, 0.5, 0.0)); // all rewards equal: finite, zero
  }

  @Test
  void positivePartKeepsAboveAverageImagesAndZeroesTheRest() {
    AdvantageMode mode = AdvantageMode.parse("group_normalized_positive");
    assertEquals(AdvantageMode.GROUP_NORMALIZED.of(0.9, 0.5, 0.9, 0.2), mode.of(0.9, 0.5, 0.9, 0.2), 1e-12);
    assertEquals(0.0, mode.of(0.1, 0.5, 0.9, 0.2));
    assertEquals(0.0, mode.of(0.5, 0.5, 0.9, 0.2));
  }

  @Test
  void rawRewardIsTheReward() {
    assertEquals(0.7, AdvantageMode.parse("raw_reward").of(0.7, 0.5, 0.9, 0.2));
  }

  @Test
  void bestOfGroupMarksTheGroupsBestImagesWhereRewardsDiffer() {
    AdvantageMode mode = AdvantageMode.parse("best_of_group");
    assertEquals(1.0, mode.of(0.9, 0.5, 0.9, 0.2));
    assertEquals(0.0, mode.of(0.7, 0.5, 0.9, 0.2));
    assertEquals(0.0, mode.of(1.0, 1.0, 1.0, 0.2)); // all equal: no best, no signal
  }

  @Test
  void unknownModesAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdvantageMode.parse("positive"));
    assertEquals("unknown advantage 'positive'; expected group_normalized, raw_reward, group_normalized_positive or best_of_group", e.getMessage());
  }
}
