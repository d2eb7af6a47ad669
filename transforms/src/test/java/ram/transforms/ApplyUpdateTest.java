package ram.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import ram.model.ParameterSet;

/**
 * The step's gradient: the sum divided by the item count, then Flow-GRPO's norm clip, then AdamW
 * (docs/algorithm.md section 5). A non-finite summed gradient is refused before the step, naming
 * its tensors and telling an engine fault from a divergence.
 */
class ApplyUpdateTest {

  private static ParameterSet gradient(float b) {
    return new ParameterSet().put("a", new int[] {2}, new float[] {1f, 2f}).put("b", new int[] {1}, new float[] {b});
  }

  @Test
  void aFiniteGradientPasses() {
    assertDoesNotThrow(() -> ApplyUpdate.requireFiniteGradient(1, 0, gradient(3f), 1.0));
    assertEquals(List.of(), gradient(3f).nonFiniteNames());
  }

  @Test
  void aNonFiniteGradientWithAFiniteLossIsCalledAnEngineFault() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ApplyUpdate.requireFiniteGradient(3, 1, gradient(Float.NaN), 2.0));
    assertTrue(e.getMessage().startsWith("epoch 3 step 1: the gradient is non-finite in [b] although the loss is finite"), e.getMessage());
  }

  @Test
  void aNonFiniteGradientAndLossAreCalledADivergence() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ApplyUpdate.requireFiniteGradient(3, 1, gradient(Float.POSITIVE_INFINITY), Double.NaN));
    assertTrue(e.getMessage().contains("[b] and so is the loss: training diverged; lower learning_rate"), e.getMessage());
  }

  private static EpochSpec spec(ram.transforms.algorithm.PostTrainingAlgorithm algorithm) {
    return new EpochSpec(1, 1, "scaled-input", "parent", "base", 2, 10, ram.model.OdeSampler.Method.EULER, 1.0, 1.0,
        java.util.Map.of("reward", 1.0), 2, 1, ram.model.AdamW.of(0.1, 0), algorithm, null, null, null);
  }

  @Test
  void theMeanGradientIsClippedToMaxGradNormBeforeAdamWSeesIt() {
    // summed gradient [6, 8] over 2 items: mean [3, 4], norm 5; max_grad_norm 1 scales it to [0.6, 0.8].
    // AdamW's first moment after its first step is (1 - 0.9) g = [0.06, 0.08] (clipping the sum before the
    // division would give [0.03, 0.04]; no clip [0.3, 0.4]), its second (1 - 0.999) g^2 = [0.00036, 0.00064].
    ParameterSet theta = new ParameterSet().put("w", new int[] {2}, new float[] {1f, 1f});
    var grpo = new ram.transforms.algorithm.flowgrpo.FlowGrpoAlgorithm(0.7, 9, 1e-4, 0.04, 1.0, 5.0);
    ParameterSet sum = new ParameterSet().put("w", new int[] {2}, new float[] {6f, 8f});
    ram.model.TrainingState after = ApplyUpdate.update(spec(grpo), 0, ram.model.TrainingState.fromBase(theta), sum, 2);
    assertArrayEquals(new float[] {0.06f, 0.08f}, after.optimizer().firstMoment().get("w"), 1e-7f);
    assertArrayEquals(new float[] {0.00036f, 0.00064f}, after.optimizer().secondMoment().get("w"), 1e-9f);
    // RAM leaves the mean gradient as it is: AdamW sees [3, 4]
    var plainRam = new ram.transforms.algorithm.ram.RamAlgorithm(ram.model.AdvantageMode.GROUP_NORMALIZED, 100, 8,
        ram.model.TimeSampler.SQRT_UNIFORM, ram.model.LaggedPolicy.EMA);
    ParameterSet sumAgain = new ParameterSet().put("w", new int[] {2}, new float[] {6f, 8f});
    after = ApplyUpdate.update(spec(plainRam), 0, ram.model.TrainingState.fromBase(theta), sumAgain, 2);
    assertArrayEquals(new float[] {0.3f, 0.4f}, after.optimizer().firstMoment().get("w"), 1e-7f);
  }
}
