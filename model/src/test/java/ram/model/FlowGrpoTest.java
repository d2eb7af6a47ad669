package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * The Flow-GRPO pieces of docs/algorithm.md section 5: the SDE step's mean and density, the ratio,
 * the clip, the KL term's value, the zero update.
 */
class FlowGrpoTest {

  @Test
  void theStepLogProbabilityIsTheClosedFormGaussianDensity() {
    SplittableRandom random = new SplittableRandom(3);
    int rows = 3;
    int dim = 5;
    float[] next = new float[rows * dim];
    float[] mu = new float[rows * dim];
    for (int i = 0; i < next.length; i++) {
      next[i] = (float) (random.nextDouble() * 2 - 1);
      mu[i] = (float) (random.nextDouble() * 2 - 1);
    }
    double sigma = 0.37;
    try (NDManager m = NDManager.newBaseManager()) {
      float[] got = SdeStep.logProb(m.create(next, new Shape(rows, dim)), m.create(mu, new Shape(rows, dim)), sigma).toFloatArray();
      for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int j = 0; j < dim; j++) {
          double d = next[r * dim + j] - mu[r * dim + j];
          sum += Math.log(Math.exp(-d * d / (2 * sigma * sigma)) / (sigma * Math.sqrt(2 * Math.PI)));
        }
        assertEquals(sum / dim, got[r], 1e-5, "row " + r);
      }
    }
  }

  @Test
  void theNoiseScaleFollowsTheSpecIncludingTheFirstStep() {
    SdeSampler sampler = new SdeSampler(10, 1.0, 3.0, 0.7);
    double[] grid = sampler.grid();
    assertEquals(0.7 * Math.sqrt(1 / (1 - grid[1])), sampler.std(0), 1e-12, "at s = 1 the denominator uses t_1");
    assertEquals(0.7 * Math.sqrt(grid[4] / (1 - grid[4])), sampler.std(4), 1e-12);
    assertEquals(sampler.std(4) * Math.sqrt(grid[4] - grid[5]), sampler.sigma(4), 1e-12);
  }

  @Test
  void atTheFirstOnPolicyStepTheRatioIsExactlyOneAndTheClipInactive() {
    ToyVelocityMlp network = new ToyVelocityMlp();
    ParameterSet theta = network.initialize(5);
    SdeSampler sampler = new SdeSampler(10, 1.0, 1.0, 0.7);
    List<String> prompts = Collections.nCopies(8, "");
    long[] seeds = {1, 2, 3, 4, 5, 6, 7, 8};
    SdeSampler.Rollout rollout = sampler.sample(network, theta, seeds, prompts);
    assertEquals(11, rollout.states().length);
    for (int k : new int[] {0, 4, 8}) {
      GrpoItems items = new GrpoItems(k, rollout.states()[k], rollout.states()[k + 1], rollout.logProbs()[k],
          new float[] {1, -1, 2, -2, 0.5f, -0.5f, 3, -3}, prompts);
      GrpoGradient.Result r = new GrpoGradient(network, sampler, 1e-4, 0.0).compute(theta, theta, items);
      assertEquals(8.0, r.ratioSum(), 0.0, "step " + k + ": every ratio is exactly 1");
      assertEquals(0, r.clippedItems());
    }
  }

  @Test
  void theClipBehavesAtItsBoundaries() {
    double eps = 0.2;
    try (NDManager m = NDManager.newBaseManager()) {
      float[] ratios = {0.7f, 0.8f, 1.0f, 1.2f, 1.3f};
      float[] positive = GrpoLoss.policy(m.create(ratios), m.create(new float[] {1, 1, 1, 1, 1}), eps).toFloatArray();
      float[] negative = GrpoLoss.policy(m.create(ratios), m.create(new float[] {-1, -1, -1, -1, -1}), eps).toFloatArray();
      // A > 0: max(-r, -clip(r)) = -min(r, clip(r)): a ratio above 1 + eps earns no more than 1 + eps
      assertArrayEquals(new float[] {-0.7f, -0.8f, -1.0f, -1.2f, -1.2f}, positive, 1e-6f);
      // A < 0: max(r, clip(r)): a ratio below 1 - eps is credited no lower than 1 - eps
      assertArrayEquals(new float[] {0.8f, 0.8f, 1.0f, 1.2f, 1.3f}, negative, 1e-6f);
      NDArray r = m.create(ratios);
      r.setRequiresGradient(true);
      try (var collector = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        collector.backward(GrpoLoss.policy(r, m.create(new float[] {1, 1, 1, 1, 1}), eps).sum());
      }
      float[] grad = r.getGradient().toFloatArray();
      assertEquals(0f, grad[4], "a clipped ratio gets no gradient");
      assertEquals(-1f, grad[2], 1e-6f, "an unclipped ratio gets -A");
    }
  }

  @Test
  void zeroAdvantagesAndNoKlGiveAZeroUpdate() {
    ToyVelocityMlp network = new ToyVelocityMlp(); // the DiT's zero-initialised output would make every velocity 0
    ParameterSet theta = network.initialize(2);
    SdeSampler sampler = new SdeSampler(4, 1.0, 2.0, 0.7);
    List<String> prompts = List.of("", "");
    SdeSampler.Rollout rollout = sampler.sample(network, theta, new long[] {11, 12}, prompts);
    ParameterSet other = network.initialize(9); // off-policy, so the ratio is not 1
    GrpoItems items = new GrpoItems(1, rollout.states()[1], rollout.states()[2], rollout.logProbs()[1], new float[] {0, 0}, prompts);
    GrpoGradient.Result r = new GrpoGradient(network, sampler, 1e-4, 0.0).compute(other, theta, items);
    assertEquals(0.0, r.gradientSum().norm(), 0.0);
    GrpoGradient.Result withKl = new GrpoGradient(network, sampler, 1e-4, 0.04).compute(other, theta, items);
    assertTrue(withKl.gradientSum().norm() > 0 && withKl.klSum() > 0, "the KL term pulls towards the reference");
  }

  @Test
  void sdeStepMeanIsXPlusDtTimesVPlusStdSquaredOverTwoSTimesXPlusOneMinusSV() {
    // s = 0.5, dt = -0.25, a = 0.7: std = 0.7 sqrt(0.5 / 0.5) = 0.7, std^2 / (2 s) = 0.49
    // row 1: x = 1, v = 0.4:  x + (1 - s) v = 1.2;  v + 0.49 * 1.2 = 0.988;  mu = 1 - 0.25 * 0.988 = 0.753
    // row 2: x = -2, v = 2:   x + (1 - s) v = -1;   v - 0.49     = 1.51;   mu = -2 - 0.25 * 1.51 = -2.3775
    // the reference's own arrangement, x (1 + std^2 / (2 s) dt) + v (1 + std^2 (1 - s) / (2 s)) dt, gives
    // 1 * 0.8775 + 0.4 * 1.245 * -0.25 = 0.753; a plain Euler step x + dt v would give 0.9 and -2.5
    double std = SdeStep.std(0.7, 0.5, 0.9);
    assertEquals(0.7, std, 1e-12);
    try (NDManager m = NDManager.newBaseManager()) {
      float[] mu = SdeStep.mean(m.create(new float[] {1, -2}, new Shape(2, 1)), m.create(new float[] {0.4f, 2}, new Shape(2, 1)), 0.5,
          -0.25, std).toFloatArray();
      assertArrayEquals(new float[] {0.753f, -2.3775f}, mu, 1e-6f);
    }
  }

  @Test
  void klIsMeanSquaredMeanGapOverTwoStdSquared() {
    // gap mu_theta - mu_ref = [0.3, -0.1, 0, 0.2]: mean of squares (0.09 + 0.01 + 0 + 0.04) / 4 = 0.035;
    // std = 0.5: 0.035 / (2 * 0.25) = 0.07 (a sum over dimensions would give 0.28)
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray theta = m.create(new float[] {1.3f, 0.9f, 2f, 0.2f}, new Shape(1, 2, 2));
      NDArray reference = m.create(new float[] {1f, 1f, 2f, 0f}, new Shape(1, 2, 2));
      assertEquals(0.07f, GrpoLoss.kl(theta, reference, 0.5).getFloat(0), 1e-7f);
    }
  }

  @Test
  void klOfAGrpoStepDividesByTwoStdSquaredWithoutTheStepsDt() {
    // v = w x; theta has w = 1, the reference w = 0. Grid of 2 steps, no shift: 1, 0.5, 0. Step 1: s = 0.5, dt = -0.5.
    // a = 0.5: std = 0.5 sqrt(0.5 / 0.5) = 0.5, std^2 / (2 s) = 0.25; sigma = std sqrt(0.5) = 0.35355.
    // mu_theta - mu_ref = dt (1 + 0.25 (1 - s)) (v_theta - v_ref) = -0.5 * 1.125 * x = -0.5625 x
    // x = [1, -1, 2, 0]: squares 0.31640625 * [1, 1, 4, 0], mean 0.474609375
    // KL = 0.474609375 / (2 std^2 = 0.5) = 0.94921875, as the reference's train_sd3.py;
    // dividing by 2 sigma^2 = 0.25 instead (the step's variance, sqrt(-dt) included) would give 1.8984375
    VelocityNetwork network = new ScaledInputVelocity(4);
    SdeSampler sampler = new SdeSampler(2, 1.0, 1.0, 0.5);
    float[] x = {1, -1, 2, 0};
    GrpoItems items = new GrpoItems(1, x, x, new float[] {0}, new float[] {0}, List.of(""));
    GrpoGradient.Result r = new GrpoGradient(network, sampler, 1e-4, 1.0)
        .compute(ScaledInputVelocity.weight(1f), ScaledInputVelocity.weight(0f), items);
    assertEquals(0.94921875, r.klSum(), 1e-6);
    assertEquals(0.94921875, r.lossSum(), 1e-6, "A = 0: the loss is beta_kl * KL alone");
    // KL(w) = 0.94921875 w^2 (the gap is linear in w), so dKL/dw at w = 1 is 1.8984375
    assertEquals(1.8984375, r.gradientSum().get("w")[0], 1e-5);
  }

  @Test
  void gradientNormClippingScalesDownOnly() {
    ParameterSet g = new ParameterSet().put("w", new int[] {2}, new float[] {3, 4});
    assertEquals(5.0, g.clipNorm(1.0), 1e-12);
    assertEquals(1.0, g.norm(), 1e-6);
    assertEquals(1.0, g.clipNorm(2.0), 1e-6);
    assertEquals(1.0, g.norm(), 1e-6);
  }
}
