package ram.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@link Autograd#finitePass}: a finite loss with a non-finite gradient is recomputed, a non-finite loss is not. */
class AutogradTest {

  private record Pass(ParameterSet gradient, double loss) {}

  private static Pass pass(float value, double loss) {
    return new Pass(new ParameterSet().put("a", new int[] {2}, new float[] {1f, 2f}).put("b", new int[] {1}, new float[] {value}), loss);
  }

  private static Pass run(Deque<Pass> passes) {
    return Autograd.finitePass(passes::removeFirst, Pass::gradient, Pass::loss);
  }

  @Test
  void aNonFiniteGradientWithAFiniteLossIsRecomputed() {
    Pass good = pass(3f, 1.0);
    Deque<Pass> passes = new ArrayDeque<>(List.of(pass(Float.NaN, 1.0), good));
    assertSame(good, run(passes));
    assertTrue(passes.isEmpty());
  }

  @Test
  void aNonFiniteLossIsReturnedAsItIsForTheUpdateToRefuse() {
    Pass diverged = pass(Float.NaN, Double.NaN);
    Deque<Pass> passes = new ArrayDeque<>(List.of(diverged, pass(3f, 1.0)));
    assertSame(diverged, run(passes));
    assertEquals(1, passes.size());
  }

  @Test
  void aGradientNonFiniteInEveryPassFailsAndNamesTheTensors() {
    Deque<Pass> passes = new ArrayDeque<>();
    for (int i = 0; i < Autograd.PASSES; i++) {
      passes.add(pass(Float.POSITIVE_INFINITY, 1.0));
    }
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(passes));
    assertTrue(e.getMessage().endsWith("[b]"), e.getMessage());
    assertTrue(passes.isEmpty());
  }

  @Test
  void nonFiniteNamesListsOnlyTheTensorsWithNonFiniteValues() {
    assertEquals(List.of("b"), pass(Float.NaN, 0).gradient().nonFiniteNames());
    assertTrue(pass(0f, 0).gradient().allFinite());
  }
}
