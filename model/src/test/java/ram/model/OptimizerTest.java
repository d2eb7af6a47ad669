package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * AdamW against hand-computed steps (PyTorch's rule): bias-corrected moments, and a decoupled weight
 * decay {@code theta <- theta (1 - lr wd) - lr m_hat / (sqrt(v_hat) + eps)}.
 */
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

  @Test
  void adamwTwoStepsUseBiasCorrectedMomentsAndDecoupledDecay() {
    // lr = 0.1, wd = 0.5, betas 0.9 / 0.999, eps 1e-8; theta = 1, gradients 0.5 then -1.
    // step 1: m = 0.05, v = 0.00025; m_hat = 0.05 / 0.1 = 0.5, v_hat = 0.00025 / 0.001 = 0.25; update = 0.5 / 0.5 = 1
    //         theta = 1 (1 - 0.05) - 0.1 * 1 = 0.85   (decay after the Adam step would give 0.855)
    // step 2: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975
    //         m_hat = -0.055 / 0.19 = -0.28947368, v_hat = 0.00124975 / 0.001999 = 0.62518759, sqrt = 0.79068805
    //         update = -0.36610352; theta = 0.85 * 0.95 + 0.036610352 = 0.84411035
    //         (without bias correction: update = -0.055 / 0.0353518 = -1.5558, theta = 0.96308)
    ParameterSet p = params(1f);
    AdamW adamW = AdamW.of(0.1, 0.5);
    Optimizer.State state = adamW.step(p, params(0.5f), Optimizer.State.zerosLike(p));
    assertEquals(0.85f, p.get("w")[0], 1e-6);
    state = adamW.step(p, params(-1f), state);
    assertEquals(0.84411035f, p.get("w")[0], 1e-6);
    assertEquals(2, state.step());
    assertEquals(-0.055f, state.firstMoment().get("w")[0], 1e-7);
    assertEquals(0.00124975f, state.secondMoment().get("w")[0], 1e-9);
  }

  @Test
  void adamwWeightDecayIsThetaMinusLrTimesWdTimesTheta() {
    // zero gradient: the Adam part is 0 / (0 + eps) = 0, so theta = 4 (1 - 0.1 * 0.5) = 3.8.
    // An L2 penalty added to the gradient (g = wd theta = 2) would move theta by lr to 3.9 on the first step.
    ParameterSet p = params(4f, -2f);
    AdamW.of(0.1, 0.5).step(p, params(0f, 0f), Optimizer.State.zerosLike(p));
    assertArrayEquals(new float[] {3.8f, -1.9f}, p.get("w"), 1e-6f);
  }
}
