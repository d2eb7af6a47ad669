package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Network size, sampler determinism, the shifted grid, EMA and checkpoint integrity. */
class ModelBasicsTest {

  private final ToyVelocityMlp network = new ToyVelocityMlp();

  @Test
  void toyNetworkHasTheTutorialsParameterCount() {
    assertEquals(35_714, network.initialize(0).size());
  }

  @Test
  void samplingIsDeterministicForASeed() {
    ParameterSet p = network.initialize(3);
    EulerSampler sampler = new EulerSampler(25, 1.0, 1.0);
    float[] noise = Noise.gaussian(42, 64);
    float[] a = sampler.sample(network, p, noise, Collections.nCopies(32, ""));
    float[] b = sampler.sample(network, p, noise, Collections.nCopies(32, ""));
    assertArrayEquals(a, b);
    assertNotEquals(noise[0], a[0]);
  }

  @Test
  void shiftedGridRunsFromOneToZero() {
    double[] g = EulerSampler.timeGrid(10, 3.0);
    assertEquals(1.0, g[0]);
    assertEquals(0.0, g[10]);
    assertEquals(3 * 0.5 / (1 + 2 * 0.5), g[5], 1e-12);
    for (int k = 0; k < 10; k++) {
      assertTrue(g[k + 1] < g[k]);
    }
  }

  @Test
  void emaFollowsTheScheduledDecay() {
    assertEquals(0.01, Ema.decay(1));
    assertEquals(0.9, Ema.decay(200));
    ParameterSet old = new ParameterSet().put("w", new int[] {1}, new float[] {1});
    ParameterSet theta = new ParameterSet().put("w", new int[] {1}, new float[] {0});
    assertEquals(0.5f, Ema.update(old, theta, 50).get("w")[0], 1e-7);
  }

  @Test
  void trainingCheckpointRoundTripsAndRefusesTampering() {
    TrainingState state = TrainingState.fromBase(network.initialize(5));
    Map<String, byte[]> files = Checkpoint.encodeTraining(state, network.architecture(), "base");
    TrainingState back = Checkpoint.decodeTraining(files, "ckpt");
    assertEquals(state.theta(), back.theta());
    assertEquals(state.ema(), back.ema());
    files.get("theta.params")[100] ^= 1;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.decodeTraining(files, "ckpt"));
    assertTrue(e.getMessage().contains("theta.params"), e.getMessage());
  }

  @Test
  void pretrainingLowersTheFlowMatchingLoss() {
    FlowMatchingPretrainer trainer = new FlowMatchingPretrainer(network, AdamW.of(1e-3, 0), 256, 0);
    double[] first = new double[1];
    FlowMatchingPretrainer.Result r = trainer.train(network.initialize(0), new ToyRingData(), 300, 1, 50,
        (step, loss) -> {
          if (step == 50) {
            first[0] = loss;
          }
        });
    assertTrue(r.finalLoss() < first[0], "loss " + first[0] + " -> " + r.finalLoss());
  }
}
