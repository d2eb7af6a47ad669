package ram.model;

import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.LayerNorm;

/**
 * The plain-NDArray building blocks of the convolutional network ({@link UNetVelocityNetwork}):
 * square convolutions, parameter-free group norm and nearest-neighbour
 * upsampling, each reading its weights by name like {@link TransformerOps}.
 *
 * <p>Weight layout: a convolution {@code name} has {@code name.weight [out, in, k, k]} and
 * {@code name.bias [out]}.
 */
final class ConvOps {

  /**
   * Output channels of a convolution are computed in multiples of this many. libtorch 2.7.1's CPU
   * convolution (oneDNN, AVX2) returns a wrong input gradient for a 3 x 3 convolution whose output
   * channels are not a multiple of 16: against a float64 reference, cosine 0.45 with 3 output
   * channels, 0.75 with 8, 0.95 with 24, now and then NaN; exact with 16, 32 or 64 (ConvOpsTest).
   */
  static final int CHANNEL_BLOCK = 16;

  private ConvOps() {}

  /**
   * A {@code k x k} convolution (k odd) with "same" padding and the given stride. Output channels
   * short of a multiple of {@link #CHANNEL_BLOCK} are computed with zero filters and dropped, so
   * that every gradient is right.
   */
  static NDArray conv(Map<String, NDArray> p, String name, NDArray x, int stride) {
    NDArray w = p.get(name + ".weight");
    NDArray b = p.get(name + ".bias");
    int pad = (int) (w.getShape().get(3) / 2);
    long out = w.getShape().get(0);
    long missing = Math.floorMod(-out, (long) CHANNEL_BLOCK);
    if (missing > 0) {
      NDManager m = w.getManager();
      w = w.concat(m.zeros(new Shape(missing, w.getShape().get(1), w.getShape().get(2), w.getShape().get(3)), w.getDataType()), 0);
      b = b.concat(m.zeros(new Shape(missing), b.getDataType()), 0);
    }
    NDArray y = Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(pad, pad), new Shape(1, 1)).singletonOrThrow();
    return missing == 0 ? y : y.get(new NDIndex(":, :{}", out));
  }

  /** Adds a {@code k x k} convolution with He-uniform weights and zero bias (all zeros if {@code zero}). */
  static void putConv(ParameterSet p, SplittableRandom random, String name, int in, int out, int k, boolean zero) {
    float[] w = new float[out * in * k * k];
    if (!zero) {
      double bound = Math.sqrt(6.0 / (in * k * k));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
    }
    p.put(name + ".weight", new int[] {out, in, k, k}, w);
    p.put(name + ".bias", new int[] {out}, new float[out]);
  }

  /** Group norm of {@code [B, C, H, W]} without affine parameters (eps 1e-5). */
  static NDArray groupNorm(NDArray x, int groups) {
    Shape s = x.getShape();
    long perGroup = s.get(1) / groups * s.get(2) * s.get(3);
    return TransformerOps.layerNorm(x.reshape(new Shape(s.get(0), groups, perGroup)), 1e-5f).reshape(s);
  }

  /** Nearest-neighbour upsampling of {@code [B, C, H, W]} by 2 in both directions. */
  static NDArray upsample2(NDArray x) {
    return x.repeat(2, 2).repeat(3, 2);
  }

  /** {@code x * (1 + scale) + shift} with per-channel {@code [B, C]} scale and shift. */
  static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
    Shape c = new Shape(x.getShape().get(0), x.getShape().get(1), 1, 1);
    return x.mul(scale.reshape(c).add(1f)).add(shift.reshape(c));
  }
}
