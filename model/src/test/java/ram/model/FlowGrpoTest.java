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

/** The Flow-GRPO pieces of docs/algorithm.md section 5: the SDE step's density, the ratio, the clip, the zero update. */
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
  void gradientNormClippingScalesDownOnly() {
    ParameterSet g = new ParameterSet().put("w", new int[] {2}, new float[] {3, 4});
    assertEquals(5.0, g.clipNorm(1.0), 1e-12);
    assertEquals(1.0, g.norm(), 1e-6);
    assertEquals(1.0, g.clipNorm(2.0), 1e-6);
    assertEquals(1.0, g.norm(), 1e-6);
  }
}
