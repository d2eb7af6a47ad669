package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The invariants and exact test vectors of docs/algorithm.md section 3. */
class RamLossTest {

  private final VelocityNetwork network = new ToyVelocityMlp();

  private RamItems items(int n, int k, float[] signals, long seed) {
    float[] x = Noise.gaussian(Noise.seed(seed, 1), n * 2);
    float[] eps = Noise.gaussian(Noise.seed(seed, 2), n * k * 2);
    float[] t = new float[n * k];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) TimeSampler.SQRT_UNIFORM.time(Noise.uniform(Noise.seed(seed, 3, i)));
    }
    return new RamItems(x, Collections.nCopies(n, ""), signals, t, eps, k);
  }

  @Test
  void constantRewardGivesZeroLossAndZeroUpdateAtTheBase() {
    ParameterSet base = network.initialize(7);
    float[] zeroAdvantages = new float[16]; // constant reward: every A = 0
    RamGradient.Result r = new RamGradient(network, 100).compute(base, base, base, items(16, 4, zeroAdvantages, 1));
    assertEquals(0.0, r.lossSum());
    ParameterSet zero = base.zerosLike();
    assertEquals(zero, r.gradientSum());
    ParameterSet theta = base.copy();
    AdamW.of(1e-3, 0).step(theta, r.gradientSum(), Optimizer.State.zerosLike(theta));
    assertEquals(base, theta, "a zero gradient must not move the parameters");
  }

  @Test
  void zeroMultiplierIsDistillationTowardsTheReference() {
    ParameterSet theta = network.initialize(1);
    ParameterSet reference = network.initialize(2);
    ParameterSet old = network.initialize(3);
    float[] randomAdvantages = Noise.gaussian(9, 8);
    RamGradient.Result withSignal = new RamGradient(network, 0).compute(theta, reference, old, items(8, 2, randomAdvantages, 5));
    RamGradient.Result distillation = new RamGradient(network, 1).compute(theta, reference, old, items(8, 2, new float[8], 5));
    assertEquals(distillation.gradientSum(), withSignal.gradientSum());
    assertEquals(distillation.lossSum(), withSignal.lossSum());
    assertTrue(withSignal.lossSum() > 0);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray vRef = m.create(new float[] {1, 2});
      NDArray target = RamLoss.target(vRef, m.create(new float[] {5, 6}), m.create(new float[] {3, 4}),
          m.create(new float[] {7, 8}), m.create(0f));
      assertArrayEquals(vRef.toFloatArray(), target.toFloatArray());
    }
  }

  @Test
  void noisedPointIsOneMinusTTimesXPlusTTimesEps() {
    // row 1, t = 0.25: 0.75 [1, 2] + 0.25 [10, 20] = [3.25, 6.5]   (t x + (1 - t) eps would give [7.75, 15.5])
    // row 2, t = 0.9:  0.1 [4, 0] + 0.9 [0, -10]   = [0.4, -9]     (the swapped convention: [3.6, -1])
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(new float[] {1, 2, 4, 0}, new ai.djl.ndarray.types.Shape(2, 2));
      NDArray eps = m.create(new float[] {10, 20, 0, -10}, new ai.djl.ndarray.types.Shape(2, 2));
      NDArray t = m.create(new float[] {0.25f, 0.9f}, new ai.djl.ndarray.types.Shape(2, 1));
      assertArrayEquals(new float[] {3.25f, 6.5f, 0.4f, -9f}, RamLoss.noised(x, eps, t).toFloatArray(), 1e-6f);
      assertArrayEquals(new float[] {9, 18, -4, -10}, RamLoss.pairVelocity(x, eps).toFloatArray(), "eps - x");
    }
  }

  @Test
  void ramLossIsTheMeanOverSampleDimsOfTheSquaredGapToTheTarget() {
    // v = w x_t; theta w = 2, reference and lagged policy w = 0 (v_ref = v_old = 0); m = 2, A = 0.25: m A = 0.5.
    // x = [1, 0, -1], eps = [1, 2, 3], t = 0.25: x_t = 0.75 x + 0.25 eps = [1, 0.5, 0]
    // target = 0 + 0.5 ((eps - x) - 0) = 0.5 [0, 2, 4] = [0, 1, 2];  v_theta = 2 x_t = [2, 1, 0]
    // gap [2, 0, -2]: loss = (4 + 0 + 4) / 3 = 8/3 (a sum over dimensions: 8; with x_t = t x + (1 - t) eps = [1, 1.5, 2]: 4)
    // dloss/dw = mean 2 gap x_t = 2 (2 * 1 + 0 * 0.5 - 2 * 0) / 3 = 4/3
    VelocityNetwork scaled = new ScaledInputVelocity(3);
    RamItems one = new RamItems(new float[] {1, 0, -1}, List.of(""), new float[] {0.25f}, new float[] {0.25f},
        new float[] {1, 2, 3}, 1);
    RamGradient.Result r = new RamGradient(scaled, 2).compute(ScaledInputVelocity.weight(2f), ScaledInputVelocity.weight(0f),
        ScaledInputVelocity.weight(0f), one);
    assertEquals(8.0 / 3, r.lossSum(), 1e-6);
    assertEquals(4.0 / 3, r.gradientSum().get("w")[0], 1e-6);
    try (NDManager m = NDManager.newBaseManager()) {
      // the same on a [1, 2, 3] sample: gaps [1, -1, 2, 0, 0, -2], squares sum to 10, mean 10/6
      NDArray vTheta = m.create(new float[] {1, 0, 2, 5, 5, 0}, new ai.djl.ndarray.types.Shape(1, 2, 3));
      NDArray target = m.create(new float[] {0, 1, 0, 5, 5, 2}, new ai.djl.ndarray.types.Shape(1, 2, 3));
      assertEquals(10.0 / 6, RamLoss.perItem(vTheta, target).getFloat(0), 1e-6);
    }
  }

  @Test
  void sqrtUniformTimesHaveTheSpecifiedMoments() {
    assertMoments(TimeSampler.SQRT_UNIFORM, 2.0 / 3.0, 0.25); // density 2t
  }

  @Test
  void cbrtUniformTimesLeanFurtherTowardsNoise() {
    assertMoments(TimeSampler.CBRT_UNIFORM, 3.0 / 4.0, 0.125); // density 3t^2
    assertEquals(TimeSampler.CBRT_UNIFORM, TimeSampler.parse("cbrt_uniform"));
  }

  private static void assertMoments(TimeSampler sampler, double mean, double belowHalf) {
    SplittableRandom random = new SplittableRandom(11);
    int n = 400_000;
    double sum = 0;
    int below = 0;
    for (int i = 0; i < n; i++) {
      double t = sampler.time(random.nextDouble());
      assertTrue(t >= TimeSampler.MIN_TIME && t < 1);
      sum += t;
      below += t < 0.5 ? 1 : 0;
    }
    assertEquals(mean, sum / n, 0.002);
    assertEquals(belowHalf, (double) below / n, 0.002);
    assertEquals(TimeSampler.MIN_TIME, sampler.time(0.0));
  }

  /** Canonical velocity of endpoint law N(mu, s) (s a variance) under x_t = (1-t) x + t eps. */
  private static double canonicalVelocity(double mu, double s, double x, double t) {
    return -mu + (t - (1 - t) * s) / ((1 - t) * (1 - t) * s + t * t) * (x - (1 - t) * mu);
  }

  /**
   * Monte Carlo of the RAM right-hand side {@code E[R(X0) ((eps - X0) - v*) | X_t = x]} under the
   * tilted law N(mu, s), computed through {@link RamLoss#target} with signal R(X0) and v_old = v*.
   */
  private static double ramRightHandSide(double mu, double s, double x, double t,
      java.util.function.DoubleUnaryOperator reward) {
    double var = (1 - t) * (1 - t) * s + t * t;
    double postMean = mu + (1 - t) * s / var * (x - (1 - t) * mu);
    double postStd = Math.sqrt(s - (1 - t) * (1 - t) * s * s / var);
    int n = 1_000_000;
    float[] x0 = Noise.gaussian(3, n);
    float[] eps = new float[n];
    float[] signal = new float[n];
    for (int i = 0; i < n; i++) {
      x0[i] = (float) (postMean + postStd * x0[i]);
      eps[i] = (float) ((x - (1 - t) * x0[i]) / t);
      signal[i] = (float) reward.applyAsDouble(x0[i]);
    }
    double vStar = canonicalVelocity(mu, s, x, t);
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray vRef = m.zeros(new ai.djl.ndarray.types.Shape(n));
      NDArray vOld = m.full(new ai.djl.ndarray.types.Shape(n), (float) vStar);
      NDArray target = RamLoss.target(vRef, vOld, m.create(x0), m.create(eps), m.create(signal));
      return target.toType(ai.djl.ndarray.types.DataType.FLOAT64, false).mean().getDouble();
    }
  }

  @Test
  void linearRewardOnAGaussianIsExact() {
    double a = 0.7;
    double t = 0.4;
    double x = 0.3;
    double exact = canonicalVelocity(a, 1, x, t) - canonicalVelocity(0, 1, x, t);
    assertEquals(-0.53846, exact, 1e-5);
    assertEquals(-0.53846, ramRightHandSide(a, 1, x, t, x0 -> a * x0), 0.005);
  }

  @Test
  void quadraticRewardShowsRamBias() {
    double t = 0.5;
    double x = 1;
    double exact = canonicalVelocity(0, 0.5, x, t) - canonicalVelocity(0, 1, x, t);
    assertEquals(2.0 / 3.0, exact, 1e-9);
    double ram = ramRightHandSide(0, 0.5, x, t, x0 -> -x0 * x0 / 2);
    assertEquals(4.0 / 9.0, ram, 0.005);
    assertTrue(Math.abs(ram - exact) > 0.2, "RAM is biased for the quadratic reward");
  }
}
