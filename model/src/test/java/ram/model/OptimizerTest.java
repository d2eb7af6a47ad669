package ram.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** AdamW against a hand-computed step: its first step moves each weight by the learning rate whatever its gradient's size. */
class OptimizerTest {

  static ParameterSet params(float... values) {
    return new ParameterSet().put("w", new int[] {values.length}, values);
  }

  @Test
  void adamwFirstStepIgnoresTheGradientsSize() {
    ParameterSet p = params(1f, 1f);
    AdamW.of(1e-3, 0).step(p, params(0.1f, 1e-5f), Optimizer.State.zerosLike(p));
    assertEquals(1f - 1e-3f, p.get("w")[0], 1e-6);
    assertEquals(1f - 1e-3f, p.get("w")[1], 2e-6, "a gradient 10^4 times smaller moves its weight as far");
  }
}
