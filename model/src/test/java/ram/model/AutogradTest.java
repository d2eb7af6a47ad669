package ram.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

/**
 * Gradient passes of one process may run at once on several threads (the workers of an embedded
 * Flink cluster), and each gives what it gives alone.
 */
class AutogradTest {

  private final VelocityNetwork network = new ToyVelocityMlp();

  private RamGradient.Result gradient(int seed) {
    int n = 40;
    int k = 2;
    float[] x = Noise.gaussian(Noise.seed(seed, 1), n * 2);
    float[] eps = Noise.gaussian(Noise.seed(seed, 2), n * k * 2);
    float[] signals = Noise.gaussian(Noise.seed(seed, 3), n);
    float[] t = new float[n * k];
    for (int i = 0; i < t.length; i++) {
      t[i] = (float) TimeSampler.SQRT_UNIFORM.time(Noise.uniform(Noise.seed(seed, 4, i)));
    }
    return new RamGradient(network, 10).compute(network.initialize(1), network.initialize(2), network.initialize(3),
        new RamItems(x, Collections.nCopies(n, ""), signals, t, eps, k));
  }

  @Test
  void concurrentGradientPassesEqualTheirPassesAlone() throws Exception {
    RamGradient.Result aloneA = gradient(5);
    RamGradient.Result aloneB = gradient(6);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 5; round++) {
        CyclicBarrier start = new CyclicBarrier(2);
        Callable<RamGradient.Result> a = () -> {
          start.await();
          return gradient(5);
        };
        Callable<RamGradient.Result> b = () -> {
          start.await();
          return gradient(6);
        };
        List<Future<RamGradient.Result>> results = pool.invokeAll(List.of(a, b));
        assertEquals(aloneA.gradientSum(), results.get(0).get().gradientSum(), "round " + round + ", thread A");
        assertEquals(aloneB.gradientSum(), results.get(1).get().gradientSum(), "round " + round + ", thread B");
        assertEquals(aloneA.lossSum(), results.get(0).get().lossSum());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCollectorRestoresItsThreadsGradMode() {
    JniUtils.setGradMode(false);
    try (GradientCollector collector = Autograd.collector()) {
      assertTrue(JniUtils.isGradMode());
    }
    assertFalse(JniUtils.isGradMode());
  }
}
