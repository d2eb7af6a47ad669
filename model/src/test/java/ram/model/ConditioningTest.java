package ram.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The text pathway learns: a small DiT pretrained for a few hundred steps on two prompts whose
 * images differ only in colour ("red" fills the canvas red, "blue" blue) must draw each colour
 * for its own prompt from the same noise.
 */
class ConditioningTest {

  @Test
  void twoColourPromptsAreFollowedAfterBriefPretraining() {
    DitVelocityNetwork network = new DitVelocityNetwork(DitVelocityNetworkTest.SMALL);
    int dim = network.sampleSize();
    int plane = dim / 3;
    String[] words = {"a photo of a red square", "a photo of a blue square"};
    TrainingData data = (seed, size) -> {
      SplittableRandom random = new SplittableRandom(seed);
      float[] x = new float[size * dim];
      List<String> prompts = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        int k = random.nextInt(2);
        prompts.add(words[k]);
        for (int j = 0; j < plane; j++) {
          x[i * dim + j] = k == 0 ? 0.9f : -0.9f;              // red channel
          x[i * dim + plane + j] = -0.9f;                     // green
          x[i * dim + 2 * plane + j] = k == 0 ? -0.9f : 0.9f; // blue
        }
      }
      return new TrainingData.Batch(x, prompts);
    };
    FlowMatchingPretrainer trainer = new FlowMatchingPretrainer(network, 16, 0.1);
    ParameterSet theta = network.initialize(3);
    Optimizer.State adam = Optimizer.State.zerosLike(theta);
    for (int step = 1; step <= 150; step++) {
      FlowMatchingPretrainer.StepOutcome outcome = trainer.step(theta, adam, data, Noise.seed(11, step), AdamW.of(1e-3, 0));
      adam = outcome.state();
      if (step % 50 == 0) {
        System.out.println("step " + step + " loss " + outcome.loss());
      }
    }
    float[] noise = Noise.gaussian(5, 2 * dim);
    float[] x = new OdeSampler(10, 1.0, 1.0).sample(network, theta, noise, List.of(words[0], words[1]));
    double redOfRed = mean(x, 0, plane);
    double blueOfRed = mean(x, 2 * plane, plane);
    double redOfBlue = mean(x, dim, plane);
    double blueOfBlue = mean(x, dim + 2 * plane, plane);
    System.out.printf("red prompt: R %.3f B %.3f; blue prompt: R %.3f B %.3f%n", redOfRed, blueOfRed, redOfBlue, blueOfBlue);
    assertTrue(redOfRed > 0.3 && blueOfRed < -0.3, "the red prompt draws red");
    assertTrue(blueOfBlue > 0.3 && redOfBlue < -0.3, "the blue prompt draws blue");
  }

  private static double mean(float[] x, int from, int n) {
    double s = 0;
    for (int i = from; i < from + n; i++) {
      s += x[i];
    }
    return s / n;
  }
}
