package ram.model;

import java.util.Collections;
import java.util.SplittableRandom;

/**
 * The pretraining data of the 2-D benchmark (docs/algorithm.md section 4): eight equally weighted Gaussian
 * modes on a ring of radius 4 at angles {@code 2 pi k / 8}, std 0.15 per axis.
 */
public final class ToyRingData implements TrainingData {

  public static final int MODES = 8;
  public static final double RADIUS = 4.0;
  public static final double STD = 0.15;

  @Override
  public Batch draw(long seed, int size) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] noise = Noise.gaussian(Noise.seed(seed, 1), 2 * size);
    float[] x = new float[2 * size];
    for (int i = 0; i < size; i++) {
      double angle = 2 * Math.PI * random.nextInt(MODES) / MODES;
      x[2 * i] = (float) (RADIUS * Math.cos(angle) + STD * noise[2 * i]);
      x[2 * i + 1] = (float) (RADIUS * Math.sin(angle) + STD * noise[2 * i + 1]);
    }
    return new Batch(x, Collections.nCopies(size, ""));
  }
}
