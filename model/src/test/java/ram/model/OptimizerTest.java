package ram.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The two update rules against hand-computed steps: SGD moves each weight in proportion to its
 * gradient (with heavy-ball momentum), AdamW's first step moves each by the learning rate whatever
 * its gradient's size. Both keep their state in the same checkpointed moments.
 */
class OptimizerTest {

  static ParameterSet params(float... values) {
    return new ParameterSet().put("w", new int[] {values.length}, values);
  }

  @Test
  void sgdStepsAreProportionalToTheGradientAndCarryMomentum() {
    ParameterSet p = params(1f, -2f, 0.5f);
    ParameterSet g = params(0.1f, -0.001f, 0f);
    Sgd sgd = new Sgd(0.5, 0.9, 0.0);
    Optimizer.State s1 = sgd.step(p, g, Optimizer.State.zerosLike(p));
    assertEquals(1f - 0.05f, p.get("w")[0], 1e-7);
    assertEquals(-2f + 0.0005f, p.get("w")[1], 1e-7);
    assertEquals(0.5f, p.get("w")[2], 0f, "a zero gradient leaves its weight where it was");
    assertEquals(1, s1.step());
    sgd.step(p, g, s1); // buffer 0.1 * (1 + 0.9)
    assertEquals(1f - 0.05f - 0.5f * 0.19f, p.get("w")[0], 1e-6);
    assertEquals(0f, s1.secondMoment().get("w")[0], 0f, "SGD leaves the second moment at zero");
  }

  @Test
  void sgdWeightDecayIsDecoupled() {
    ParameterSet p = params(2f);
    new Sgd(0.1, 0.0, 0.5).step(p, params(0f), Optimizer.State.zerosLike(p));
    assertEquals(2f * (1 - 0.1f * 0.5f), p.get("w")[0], 1e-7);
  }

  @Test
  void adamwFirstStepIgnoresTheGradientsSize() {
    ParameterSet p = params(1f, 1f);
    AdamW.of(1e-3, 0).step(p, params(0.1f, 1e-5f), Optimizer.State.zerosLike(p));
    assertEquals(1f - 1e-3f, p.get("w")[0], 1e-6);
    assertEquals(1f - 1e-3f, p.get("w")[1], 2e-6, "a gradient 10^4 times smaller moves its weight as far");
  }

  @Test
  void badSettingsAndNamesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Sgd(0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1, 1.0, 0));
    assertEquals(Optimizer.Kind.SGD, Optimizer.Kind.parse("sgd"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizer.Kind.parse("adam"));
    assertTrue(e.getMessage().contains("expected adamw or sgd"), e.getMessage());
  }
}
