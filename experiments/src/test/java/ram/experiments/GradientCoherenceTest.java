package ram.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import ram.model.AdamW;
import ram.model.Optimizer;
import ram.model.ParameterSet;

class GradientCoherenceTest {

  private static ParameterSet params(float[] a, float[] b) {
    return new ParameterSet().put("layer.weight", new int[] {a.length}, a).put("layer.bias", new int[] {b.length}, b);
  }

  private static ParameterSet gaussian(Random r, int n) {
    float[] a = new float[n];
    float[] b = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
      b[i] = (float) r.nextGaussian();
    }
    return params(a, b);
  }

  @Test
  void recoversEveryStepsGradientFromTheMomentsAdamKept() {
    Random r = new Random(7);
    AdamW adam = new AdamW(1e-3, 0.9, 0.999, 1e-8, 0.0);
    ParameterSet theta = gaussian(r, 50);
    Optimizer.State state = Optimizer.State.zerosLike(theta);
    ParameterSet before = state.firstMoment();
    for (int step = 0; step < 5; step++) {
      ParameterSet g = gaussian(r, 50);
      state = adam.step(theta, g, state);
      ParameterSet recovered = GradientCoherence.gradientBetween(before, state.firstMoment(), 0.9);
      for (String name : g.names()) {
        for (int i = 0; i < 50; i++) {
          assertEquals(g.get(name)[i], recovered.get(name)[i], 1e-5, name + "[" + i + "] at step " + step);
        }
      }
      before = state.firstMoment();
    }
  }

  @Test
  void constantGradientIsFullyCoherentAndAFlippingOneNotAtAll() {
    ParameterSet g = gaussian(new Random(1), 20);
    ParameterSet minus = g.copy();
    minus.scaleInPlace(-1);
    GradientCoherence constant = new GradientCoherence(0.9);
    GradientCoherence flipping = new GradientCoherence(0.9);
    for (int step = 0; step < 6; step++) {
      constant.addGradient(g);
      flipping.addGradient(step % 2 == 0 ? g : minus);
    }
    assertEquals(1.0, constant.overall().coherence(), 1e-9);
    assertEquals(0.0, flipping.overall().coherence(), 1e-9);
    assertEquals(1.0, constant.byTensor().get("layer.bias"), 1e-9);
    assertEquals(1, constant.byLayer().size());
    assertEquals(40, constant.byLayer().get(0).parameters());
  }

  @Test
  void independentNoiseSitsAtTheNoiseLevel() {
    Random r = new Random(3);
    GradientCoherence noise = new GradientCoherence(0.9);
    for (int step = 0; step < 40; step++) {
      noise.addGradient(gaussian(r, 5000));
    }
    assertEquals(0.025, noise.noiseLevel(), 1e-12);
    double c = noise.overall().coherence();
    assertTrue(Math.abs(c - noise.noiseLevel()) < 0.1 * noise.noiseLevel(), "coherence of noise " + c);
  }

  @Test
  void momentsReplayTheSameStepsAsGradients() {
    Random r = new Random(5);
    AdamW adam = AdamW.of(1e-3, 0.0);
    ParameterSet theta = gaussian(r, 30);
    Optimizer.State state = Optimizer.State.zerosLike(theta);
    GradientCoherence fromGradients = new GradientCoherence(0.9);
    GradientCoherence fromMoments = new GradientCoherence(0.9);
    ParameterSet signal = gaussian(r, 30);
    for (int step = 0; step < 8; step++) {
      ParameterSet g = gaussian(r, 30);
      g.addInPlace(signal);
      state = adam.step(theta, g, state);
      fromGradients.addGradient(g);
      fromMoments.addMoment(state.firstMoment());
    }
    assertEquals(fromGradients.overall().coherence(), fromMoments.overall().coherence(), 1e-5);
    assertThrows(IllegalArgumentException.class, () -> new GradientCoherence(1.0));
  }
}
