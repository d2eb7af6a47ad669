package ram.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import ram.transforms.EpochSpec.AdvantageMode;

class AdvantageModeTest {

  @Test
  void groupNormalizedIsTheRewardAboveItsGroupOverTheEpochStd() {
    assertEquals((0.9 - 0.5) / (0.2 + 1e-4), AdvantageMode.GROUP_NORMALIZED.of(0.9, 0.5, 0.2), 1e-12);
    assertEquals((0.1 - 0.5) / (0.2 + 1e-4), AdvantageMode.GROUP_NORMALIZED.of(0.1, 0.5, 0.2), 1e-12);
    assertEquals(0.0, AdvantageMode.GROUP_NORMALIZED.of(0.5, 0.5, 0.0)); // all rewards equal: finite, zero
  }

  @Test
  void rawRewardIsTheReward() {
    assertEquals(0.7, AdvantageMode.parse("raw_reward").of(0.7, 0.5, 0.2));
  }

  @Test
  void unknownModesAreNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdvantageMode.parse("best_of_group"));
    assertEquals("unknown advantage 'best_of_group'; expected group_normalized or raw_reward", e.getMessage());
  }
}
