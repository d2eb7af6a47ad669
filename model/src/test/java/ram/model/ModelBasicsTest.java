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
    OdeSampler sampler = new OdeSampler(25, 1.0, 1.0);
    float[] noise = Noise.gaussian(42, 64);
    float[] a = sampler.sample(network, p, noise, Collections.nCopies(32, ""));
    float[] b = sampler.sample(network, p, noise, Collections.nCopies(32, ""));
    assertArrayEquals(a, b);
    assertNotEquals(noise[0], a[0]);
  }

  @Test
  void shiftedGridRunsFromOneToZero() {
    double[] g = OdeSampler.timeGrid(10, 3.0);
    assertEquals(1.0, g[0]);
    assertEquals(0.0, g[10]);
    assertEquals(3 * 0.5 / (1 + 2 * 0.5), g[5], 1e-12);
    for (int k = 0; k < 10; k++) {
      assertTrue(g[k + 1] < g[k]);
    }
  }

  /**
   * A test double, not a model: the exact velocity {@code (x_t - x*) / t} of the flow whose data is
   * the single point {@code x*}, along which every Euler step is exact.
   */
  private static final class PointMassFlow implements VelocityNetwork {
    private final float[] target;

    PointMassFlow(float[] target) {
      this.target = target;
    }

    @Override public String architecture() { return "point-mass"; }
    @Override public int[] sampleShape() { return new int[] {target.length}; }
    @Override public boolean conditional() { return false; }
    @Override public ParameterSet initialize(long seed) {
      ParameterSet p = new ParameterSet();
      p.put("unused", new int[] {1}, new float[1]);
      return p;
    }
    @Override public ai.djl.ndarray.NDArray velocity(ai.djl.ndarray.NDList parameters, ai.djl.ndarray.NDArray x,
        ai.djl.ndarray.NDArray t, java.util.List<String> prompts) {
      ai.djl.ndarray.NDArray star = x.getManager().create(target, new ai.djl.ndarray.types.Shape(1, target.length));
      return x.sub(star).div(t.reshape(-1, 1));
    }
  }

  @Test
  void integratingARenoisedPointReturnsItAndStartTimeZeroChangesNothing() {
    float[] star = {0.5f, -0.25f, 1f};
    PointMassFlow flow = new PointMassFlow(star);
    OdeSampler sampler = new OdeSampler(25, 1.0, 2.0);
    float[] eps = Noise.gaussian(3, 3);
    for (double t0 : new double[] {0.3, 0.7, 1.0}) {
      float[] start = new float[3];
      for (int k = 0; k < 3; k++) {
        start[k] = (float) ((1 - t0) * star[k] + t0 * eps[k]);
      }
      float[] back = sampler.integrate(flow, flow.initialize(0), start, t0, java.util.List.of(""));
      assertArrayEquals(star, back, 1e-5f, "from t0 = " + t0);
      assertNotEquals(star[0], start[0]);
    }
    assertArrayEquals(eps, sampler.integrate(flow, flow.initialize(0), eps, 0.0, java.util.List.of("")));
    assertArrayEquals(sampler.sample(flow, flow.initialize(0), eps, java.util.List.of("")),
        sampler.integrate(flow, flow.initialize(0), eps, 1.0, java.util.List.of("")));
    assertThrows(IllegalArgumentException.class, () -> sampler.integrate(flow, flow.initialize(0), eps, 1.5, java.util.List.of("")));
  }

  @Test
  void parametersEncodeAsBigEndianFloatsAndRoundTrip() {
    ParameterSet p = new ParameterSet().put("w", new int[] {2}, new float[] {1.5f, -0.0f});
    byte[] bytes = p.toBytes();
    byte[] floats = java.util.Arrays.copyOfRange(bytes, bytes.length - 8, bytes.length);
    assertArrayEquals(new byte[] {0x3F, (byte) 0xC0, 0, 0, (byte) 0x80, 0, 0, 0}, floats);
    assertEquals(p, ParameterSet.fromBytes(bytes));
    TrainingState state = TrainingState.fromBase(network.initialize(7));
    assertArrayEquals(state.toBytes(), TrainingState.fromBytes(state.toBytes()).toBytes());
    assertThrows(IllegalArgumentException.class, () -> ParameterSet.fromBytes(java.util.Arrays.copyOf(bytes, bytes.length - 1)));
  }

  @Test
  void aLayoutMismatchNamesOnlyTheNamesThatDiffer() {
    ParameterSet expected = new ParameterSet().put("a", new int[] {1}, new float[] {0}).put("b", new int[] {1}, new float[] {0});
    ParameterSet other = new ParameterSet().put("a", new int[] {1}, new float[] {0}).put("c", new int[] {1}, new float[] {0});
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> expected.requireSameLayout(other));
    assertEquals("parameter names differ: missing [b], unexpected [c]", e.getMessage());
    ParameterSet reshaped = new ParameterSet().put("a", new int[] {1}, new float[] {0}).put("b", new int[] {1, 1}, new float[] {0});
    assertEquals("parameter b shape [1] vs [1, 1]",
        assertThrows(IllegalArgumentException.class, () -> expected.requireSameLayout(reshaped)).getMessage());
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
  void emaKeepsDecayTimesOldPlusOneMinusDecayTimesTheta() {
    // d = 0.9 (capped, epoch 200): old [1, 2], theta [0, 12] -> 0.9 [1, 2] + 0.1 [0, 12] = [0.9, 3.0]
    // (the other direction, 0.9 theta + 0.1 old, would give [0.1, 11])
    assertEquals(0.9, Ema.decay(200));
    ParameterSet old = new ParameterSet().put("w", new int[] {2}, new float[] {1, 2});
    ParameterSet theta = new ParameterSet().put("w", new int[] {2}, new float[] {0, 12});
    assertArrayEquals(new float[] {0.9f, 3.0f}, Ema.update(old, theta, 200).get("w"), 1e-6f);
    assertArrayEquals(new float[] {1, 2}, old.get("w"), "the old set is not changed in place");
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
    FlowMatchingPretrainer trainer = new FlowMatchingPretrainer(network, 256, 0);
    ParameterSet theta = network.initialize(0);
    Optimizer.State adam = Optimizer.State.zerosLike(theta);
    double[] windowMeans = new double[6]; // the mean loss of steps 1-50, 51-100, ..., 251-300
    for (int step = 1; step <= 300; step++) {
      FlowMatchingPretrainer.StepOutcome outcome = trainer.step(theta, adam, new ToyRingData(), Noise.seed(1, step),
          AdamW.of(1e-3, 0));
      adam = outcome.state();
      windowMeans[(step - 1) / 50] += outcome.loss() / 50;
    }
    assertTrue(windowMeans[5] < windowMeans[0], "loss " + windowMeans[0] + " -> " + windowMeans[5]);
  }
}
