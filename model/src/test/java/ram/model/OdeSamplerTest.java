package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** The two integrators against a flow whose exact endpoints are known: Euler is first order, Heun second. */
class OdeSamplerTest {

  private static final double MU = 0.5;
  private static final double VARIANCE = 0.25;
  private static final int BATCH = 64;

  /**
   * A test double, not a model: the exact velocity of docs/algorithm.md section 3's test vector, the flow whose
   * data law is {@code N(MU, VARIANCE)} in every coordinate. Its ODE carries noise {@code eps} at t = 1
   * to {@code MU + sqrt(VARIANCE) eps} at t = 0, and is not linear in t, so no integrator is exact.
   */
  private static final class GaussianFlow implements VelocityNetwork {
    @Override public String architecture() { return "gaussian-flow"; }
    @Override public int[] sampleShape() { return new int[] {1}; }
    @Override public boolean conditional() { return false; }
    @Override public ParameterSet initialize(long seed) {
      return new ParameterSet().put("unused", new int[] {1}, new float[1]);
    }
    @Override public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts) {
      NDArray time = t.reshape(-1, 1);
      NDArray back = time.neg().add(1);
      NDArray gain = time.sub(back.mul(VARIANCE)).div(back.mul(back).mul(VARIANCE).add(time.mul(time)));
      return gain.mul(x.sub(back.mul(MU))).sub(MU);
    }
  }

  private final GaussianFlow flow = new GaussianFlow();
  private final float[] noise = Noise.gaussian(11, BATCH);

  /** Mean absolute distance of the sampler's endpoints to the exact ones. */
  private double error(OdeSampler.Method method, int steps) {
    float[] x = new OdeSampler(method, steps, 1.0, 1.0).sample(flow, flow.initialize(0), noise, Collections.nCopies(BATCH, ""));
    double sum = 0;
    for (int i = 0; i < BATCH; i++) {
      sum += Math.abs(x[i] - (MU + Math.sqrt(VARIANCE) * noise[i]));
    }
    return sum / BATCH;
  }

  @Test
  void eulerIsFirstOrderAndHeunSecondOrder() {
    double euler8 = error(OdeSampler.Method.EULER, 8);
    double euler16 = error(OdeSampler.Method.EULER, 16);
    double heun8 = error(OdeSampler.Method.HEUN, 8);
    double heun16 = error(OdeSampler.Method.HEUN, 16);
    assertTrue(euler8 / euler16 > 1.5 && euler8 / euler16 < 2.5, "Euler error " + euler8 + " -> " + euler16);
    assertTrue(heun8 / heun16 > 3.5, "Heun error " + heun8 + " -> " + heun16);
    assertTrue(heun8 < euler8 / 4, "Heun " + heun8 + " against Euler " + euler8 + " at 8 steps");
  }

  @Test
  void oneHeunStepIsAnEulerStepAndTheDefaultIsEuler() {
    List<String> prompts = Collections.nCopies(BATCH, "");
    assertArrayEquals(new OdeSampler(OdeSampler.Method.EULER, 1, 1.0, 2.0).sample(flow, flow.initialize(0), noise, prompts),
        new OdeSampler(OdeSampler.Method.HEUN, 1, 1.0, 2.0).sample(flow, flow.initialize(0), noise, prompts));
    assertEquals(OdeSampler.Method.EULER, new OdeSampler(4, 1.0, 1.0).method());
    assertEquals(OdeSampler.Method.HEUN, OdeSampler.Method.parse("heun"));
    assertEquals("heun_ode", OdeSampler.Method.HEUN.recordName());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OdeSampler.Method.parse("rk4"));
    assertEquals("unknown ode_solver 'rk4'; expected euler or heun", e.getMessage());
  }
}
