package ram.transforms;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import ram.model.ParameterSet;

/** A non-finite summed gradient is refused before the step, naming its tensors and telling an engine fault from a divergence. */
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
}
