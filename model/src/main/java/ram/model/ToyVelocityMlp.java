package ram.model;

import java.util.List;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The velocity MLP of the 2-D ring benchmark (docs/algorithm.md section 4): input {@code [x, sin(t f_k),
 * cos(t f_k)]} with {@code f_k = 2^k pi}, k = 0..7 (18 features), then three hidden layers of 128
 * with SiLU and a linear output of 2. 35,714 parameters. Unconditional.
 */
public final class ToyVelocityMlp implements VelocityNetwork {

  public static final String ARCHITECTURE = "toy-mlp-2d-128x3";
  private static final int FREQUENCIES = 8;
  private static final int[] WIDTHS = {2 + 2 * FREQUENCIES, 128, 128, 128, 2};

  @Override
  public String architecture() {
    return ARCHITECTURE;
  }

  @Override
  public int[] sampleShape() {
    return new int[] {2};
  }

  @Override
  public boolean conditional() {
    return false;
  }

  /** PyTorch's default Linear initialisation: weights and biases uniform in +-1/sqrt(fan_in). */
  @Override
  public ParameterSet initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    ParameterSet p = new ParameterSet();
    for (int layer = 0; layer < WIDTHS.length - 1; layer++) {
      int in = WIDTHS[layer];
      int out = WIDTHS[layer + 1];
      double bound = 1.0 / Math.sqrt(in);
      p.put("linear" + layer + ".weight", new int[] {in, out}, uniform(random, in * out, bound));
      p.put("linear" + layer + ".bias", new int[] {out}, uniform(random, out, bound));
    }
    return p;
  }

  private static float[] uniform(SplittableRandom random, int n, double bound) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
    }
    return v;
  }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts) {
    NDArray h = x.concat(timeFeatures(t), 1);
    int layers = WIDTHS.length - 1;
    for (int layer = 0; layer < layers; layer++) {
      h = h.matMul(parameters.get(2 * layer)).add(parameters.get(2 * layer + 1));
      if (layer < layers - 1) {
        h = h.mul(Activation.sigmoid(h));
      }
    }
    return h;
  }

  private static NDArray timeFeatures(NDArray t) {
    NDManager manager = t.getManager();
    float[] freqs = new float[FREQUENCIES];
    for (int k = 0; k < FREQUENCIES; k++) {
      freqs[k] = (float) (Math.pow(2, k) * Math.PI);
    }
    NDArray angles = t.reshape(new Shape(-1, 1)).mul(manager.create(freqs, new Shape(1, FREQUENCIES)));
    return angles.sin().concat(angles.cos(), 1);
  }
}
