package ram.transforms.algorithm.ram;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ram.model.AdvantageMode;
import ram.model.LaggedPolicy;
import ram.model.ParameterSet;
import ram.model.TimeSampler;
import ram.transforms.algorithm.GroupAdvantages;
import ram.transforms.algorithm.RewardGroup;

/**
 * RAM's advantages on hand-computed groups (docs/algorithm.md section 3, step 3): normalised by the
 * group's mean and the epoch's std plus 1e-4, never clipped, every group trains (an all-equal one
 * with zero advantages); the gradient goes to the optimizer unchanged.
 */
class RamAlgorithmTest {

  static RamAlgorithm ram(AdvantageMode mode) {
    return new RamAlgorithm(mode, 100, 8, TimeSampler.SQRT_UNIFORM, LaggedPolicy.EMA);
  }

  @Test
  void groupNormalizedAdvantagesOfOneTwoThree() {
    // mean 2; epoch std sqrt(2/3) = 0.8164966 (the epoch is this one group): A = (r - 2) / 0.8165966
    GroupAdvantages a = ram(AdvantageMode.GROUP_NORMALIZED).advantages(new RewardGroup(new double[] {1, 2, 3}), Math.sqrt(2.0 / 3));
    assertArrayEquals(new double[] {-1.2245948897605123, 0, 1.2245948897605123}, a.advantages(), 1e-12);
    assertArrayEquals(new boolean[] {true, true, true}, a.trains());
  }

  @Test
  void largeAdvantagesAreNotClipped() {
    // mean 2, std 0.1: A = +-1 / 0.1001 = +-9.99, beyond Flow-GRPO's clip of 5
    GroupAdvantages a = ram(AdvantageMode.GROUP_NORMALIZED).advantages(new RewardGroup(new double[] {1, 2, 3}), 0.1);
    assertArrayEquals(new double[] {-9.99000999000999, 0, 9.99000999000999}, a.advantages(), 1e-12);
  }

  @Test
  void anAllEqualGroupStillTrainsWithZeroAdvantages() {
    GroupAdvantages a = ram(AdvantageMode.GROUP_NORMALIZED).advantages(new RewardGroup(new double[] {0.5, 0.5}), 0.3);
    assertArrayEquals(new double[] {0, 0}, a.advantages());
    assertArrayEquals(new boolean[] {true, true}, a.trains());
  }

  @Test
  void rawRewardIsTheTutorialsSignal() {
    GroupAdvantages a = ram(AdvantageMode.RAW_REWARD).advantages(new RewardGroup(new double[] {0.25, 0.75}), 0.25);
    assertArrayEquals(new double[] {0.25, 0.75}, a.advantages());
  }

  @Test
  void theGradientIsLeftAsItIsAndNoStepMetricIsAdded() {
    ParameterSet g = new ParameterSet().put("w", new int[] {2}, new float[] {30f, 40f});
    ram(AdvantageMode.GROUP_NORMALIZED).prepareGradient(g);
    assertArrayEquals(new float[] {30f, 40f}, g.get("w"));
    assertEquals(Map.of(), ram(AdvantageMode.GROUP_NORMALIZED).stepMetrics(50));
  }

  @Test
  void theProgressLineShowsLossDriftAndFlippedItems() {
    assertEquals(List.of("loss", "drift_to_reference", "frac_flipped"),
        ram(AdvantageMode.GROUP_NORMALIZED).progressMetrics().stream().map(m -> m.metric()).toList());
    assertEquals("ram", ram(AdvantageMode.GROUP_NORMALIZED).name());
  }
}
