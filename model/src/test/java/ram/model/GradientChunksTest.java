package ram.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Gradients over more rows than one pass holds ({@link Autograd#ROWS_PER_PASS}) are sums over
 * chunks: they must equal the sum of the items' gradients computed one by one.
 */
class GradientChunksTest {

  private final VelocityNetwork network = new ToyVelocityMlp();

  private static double relativeDifference(ParameterSet a, ParameterSet b) {
    ParameterSet difference = b.copy();
    difference.scaleInPlace(-1f);
    difference.addInPlace(a);
    return difference.norm() / a.norm();
  }

  @Test
  void ramGradientOverSeveralChunksIsTheSumOverItems() {
    int n = 50;
    int k = 3; // 150 rows: two full passes and a partial one
    assertTrue(n * k > 2 * Autograd.ROWS_PER_PASS);
    float[] x = Noise.gaussian(Noise.seed(4, 1), n * 2);
    float[] eps = Noise.gaussian(Noise.seed(4, 2), n * k * 2);
    float[] signals = Noise.gaussian(Noise.seed(4, 3), n);
    float[] t = new float[n * k];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) TimeSampler.SQRT_UNIFORM.time(Noise.uniform(Noise.seed(4, 4, i)));
    }
    ParameterSet theta = network.initialize(1);
    ParameterSet reference = network.initialize(2);
    ParameterSet old = network.initialize(3);
    RamGradient gradient = new RamGradient(network, 10);
    RamGradient.Result all = gradient.compute(theta, reference, old, new RamItems(x, Collections.nCopies(n, ""), signals, t, eps, k));
    RamGradient.Result sum = null;
    for (int i = 0; i < n; i++) {
      RamItems one = new RamItems(Arrays.copyOfRange(x, i * 2, i * 2 + 2), List.of(""), new float[] {signals[i]},
          Arrays.copyOfRange(t, i * k, (i + 1) * k), Arrays.copyOfRange(eps, i * k * 2, (i + 1) * k * 2), k);
      RamGradient.Result r = gradient.compute(theta, reference, old, one);
      sum = sum == null ? r : sum.add(r);
    }
    assertEquals(n * k, all.items());
    assertEquals(sum.items(), all.items());
    assertEquals(sum.lossSum(), all.lossSum(), 1e-5 * sum.lossSum());
    assertEquals(sum.flippedItems(), all.flippedItems());
    double difference = relativeDifference(sum.gradientSum(), all.gradientSum());
    assertTrue(difference < 1e-5, "chunked and item-by-item gradients differ by " + difference);
  }

  @Test
  void grpoGradientOverSeveralChunksIsTheSumOverItems() {
    int n = 150;
    SdeSampler sampler = new SdeSampler(4, 1.0, 2.0, 0.7);
    ParameterSet policy = network.initialize(5);
    ParameterSet theta = network.initialize(6); // off-policy: ratios differ from 1, some are clipped
    List<String> prompts = Collections.nCopies(n, "");
    long[] seeds = new long[n];
    for (int i = 0; i < n; i++) {
      seeds[i] = 100 + i;
    }
    SdeSampler.Rollout rollout = sampler.sample(network, policy, seeds, prompts);
    float[] advantages = Noise.gaussian(Noise.seed(7, 1), n);
    int step = 1;
    GrpoGradient gradient = new GrpoGradient(network, sampler, 0.002, 0.04); // ratios stay close to 1 here: a narrow clip
    GrpoGradient.Result all = gradient.compute(theta, policy, new GrpoItems(step, rollout.states()[step], rollout.states()[step + 1],
        rollout.logProbs()[step], advantages, prompts));
    GrpoGradient.Result sum = null;
    for (int i = 0; i < n; i++) {
      GrpoItems one = new GrpoItems(step, Arrays.copyOfRange(rollout.states()[step], i * 2, i * 2 + 2),
          Arrays.copyOfRange(rollout.states()[step + 1], i * 2, i * 2 + 2), new float[] {rollout.logProbs()[step][i]},
          new float[] {advantages[i]}, List.of(""));
      GrpoGradient.Result r = gradient.compute(theta, policy, one);
      sum = sum == null ? r : sum.add(r);
    }
    assertEquals(n, all.items());
    assertEquals(sum.clippedItems(), all.clippedItems());
    assertTrue(all.clippedItems() > 0 && all.clippedItems() < n, "the test should exercise both branches of the clip: " + all.clippedItems() + " " + all.ratioSum());
    assertEquals(sum.ratioSum(), all.ratioSum(), 1e-5 * Math.abs(sum.ratioSum()));
    assertEquals(sum.klSum(), all.klSum(), 1e-5 * Math.abs(sum.klSum()));
    double difference = relativeDifference(sum.gradientSum(), all.gradientSum());
    assertTrue(difference < 1e-5, "chunked and item-by-item gradients differ by " + difference);
  }
}
