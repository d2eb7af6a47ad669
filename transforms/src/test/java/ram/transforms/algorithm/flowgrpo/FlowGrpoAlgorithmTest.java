package ram.transforms.algorithm.flowgrpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;

import org.junit.jupiter.api.Test;

import ram.model.ParameterSet;
import ram.transforms.algorithm.GroupAdvantages;
import ram.transforms.algorithm.RewardGroup;

/**
 * Flow-GRPO's advantages on hand-computed groups (docs/algorithm.md section 5): the group's mean
 * and the epoch's std plus 1e-4, clipped to +-advantage_clip; a group whose rewards are all equal
 * keeps its (zero) advantages but does not train. Its gradient is clipped in norm before the step.
 */
class FlowGrpoAlgorithmTest {

  static final FlowGrpoAlgorithm GRPO = new FlowGrpoAlgorithm(0.7, 9, 1e-4, 0.04, 1.0, 5.0);

  @Test
  void advantagesOfOneTwoThreeAreNormalisedAndTrain() {
    // mean 2; epoch std sqrt(2/3) = 0.8164966: A = (r - 2) / 0.8165966, inside the clip
    GroupAdvantages a = GRPO.advantages(new RewardGroup(new double[] {1, 2, 3}), Math.sqrt(2.0 / 3));
    assertArrayEquals(new double[] {-1.2245948897605123, 0, 1.2245948897605123}, a.advantages(), 1e-12);
    assertArrayEquals(new boolean[] {true, true, true}, a.trains());
  }

  @Test
  void advantagesBeyondTheClipAreClipped() {
    // mean 2, std 0.1: (r - 2) / 0.1001 = -9.99, 0, +9.99 -> clipped to -5, 0, +5
    GroupAdvantages a = GRPO.advantages(new RewardGroup(new double[] {1, 2, 3}), 0.1);
    assertArrayEquals(new double[] {-5, 0, 5}, a.advantages());
    assertArrayEquals(new boolean[] {true, true, true}, a.trains());
  }

  @Test
  void anAllEqualGroupDoesNotTrain() {
    GroupAdvantages a = GRPO.advantages(new RewardGroup(new double[] {0.5, 0.5, 0.5}), 0.3);
    assertArrayEquals(new double[] {0, 0, 0}, a.advantages());
    assertArrayEquals(new boolean[] {false, false, false}, a.trains());
  }

  @Test
  void theMeanGradientIsClippedToMaxGradNormAndItsNormReported() {
    ParameterSet g = new ParameterSet().put("w", new int[] {2}, new float[] {3f, 4f}); // norm 5
    GRPO.prepareGradient(g);
    assertArrayEquals(new float[] {0.6f, 0.8f}, g.get("w"), 1e-6f);
    assertEquals(Map.of("grad_norm", 5.0), GRPO.stepMetrics(5.0));
    ParameterSet unclipped = new ParameterSet().put("w", new int[] {2}, new float[] {3f, 4f});
    new FlowGrpoAlgorithm(0.7, 9, 1e-4, 0.04, 0, 5.0).prepareGradient(unclipped); // max_grad_norm 0: no clip
    assertArrayEquals(new float[] {3f, 4f}, unclipped.get("w"));
  }

  @Test
  void moreTrainedStepsThanSampleStepsAreRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
    java.nio.file.Path f = java.nio.file.Files.writeString(tmp.resolve("grpo.yaml"),
        "algorithm: flow_grpo\ngrpo_trained_steps: 11\nsample_steps: 10\n");
    ram.config.ConfigException e = assertThrows(ram.config.ConfigException.class,
        () -> FlowGrpoAlgorithm.fromConfig(ram.config.RunConfig.load(f, Map.of())));
    assertEquals("config 'grpo': grpo_trained_steps 11 exceeds sample_steps 10", e.getMessage());
  }
}
