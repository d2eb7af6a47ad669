package ram.model;

import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

/**
 * A convolutional refinement of the DiT's velocity at full pixel resolution.
 *
 * <p>The DiT sees the canvas as 4 x 4 patches and writes each patch through one linear map, so
 * edges inside a patch are hard for it: its objects came out as blobs, and the shapes detector
 * scores geometry. Three 3 x 3 convolutions see the noisy image, the DiT's velocity and a few
 * feature channels per pixel read from the DiT's last tokens, with the adaLN conditioning (time and
 * pooled prompt) as a per-channel bias, and add a residual correction to the velocity. The output
 * convolution starts at zero, so a network grown with this head computes exactly what it did
 * without it; the inner layers start random, so the head learns from the first step. Measured
 * (docs/model.md): it smooths edges but did not make the shapes, so the shipped base has none.
 */
final class PixelHead {

  /** Feature channels per pixel read from the DiT's last tokens. */
  static final int FEATURES = 8;
  private static final int KERNEL = 3;
  private static final Shape UNIT = new Shape(1, 1);

  private final int channels;

  PixelHead(int channels) {
    this.channels = channels;
  }

  /** Adds the head's parameters: {@code pixel.features}, {@code pixel.condition}, {@code pixel.conv1..3}. */
  void initialize(ParameterSet p, SplittableRandom random, int width, int patch) {
    TransformerOps.putLinear(p, random, "pixel.features", width, featuresPerToken(patch), false);
    TransformerOps.putLinear(p, random, "pixel.condition", width, channels, false);
    putConv(p, random, "pixel.conv1", inputChannels(), channels, false);
    putConv(p, random, "pixel.conv2", channels, channels, false);
    putConv(p, random, "pixel.conv3", channels, 3, true);
  }

  /** Number of per-pixel features the head wants from each token ({@code patch^2 x FEATURES}). */
  static int featuresPerToken(int patch) {
    return patch * patch * FEATURES;
  }

  /**
   * The refined velocity {@code v + head(x, v, features, condition)}.
   *
   * @param x the noisy image {@code [B, 3, H, W]}
   * @param velocity the DiT's velocity {@code [B, 3, H, W]}
   * @param features per-pixel features {@code [B, FEATURES, H, W]}
   * @param condition the adaLN conditioning {@code [B, width]}
   */
  NDArray refine(Map<String, NDArray> p, NDArray x, NDArray velocity, NDArray features, NDArray condition) {
    long batch = x.getShape().get(0);
    NDArray input = NDArrays.concat(new NDList(x, velocity, features), 1);
    NDArray bias = TransformerOps.linear(p, "pixel.condition", condition).reshape(new Shape(batch, channels, 1, 1));
    NDArray h = Activation.gelu(conv(p, "pixel.conv1", input).add(bias));
    h = h.add(Activation.gelu(conv(p, "pixel.conv2", h)));
    return velocity.add(conv(p, "pixel.conv3", h));
  }

  /** Multiply-add FLOPs (2 per multiply-add) of the head for one image of {@code pixels} pixels, {@code tokens} tokens. */
  long flops(long pixels, long tokens, int width, int patch) {
    long convs = (long) KERNEL * KERNEL * (inputChannels() * channels + channels * channels + channels * 3);
    return 2 * pixels * convs + 2 * tokens * width * featuresPerToken(patch) + 2L * width * channels;
  }

  private int inputChannels() {
    return 3 + 3 + FEATURES;
  }

  private static NDArray conv(Map<String, NDArray> p, String name, NDArray x) {
    return Conv2d.conv2d(x, p.get(name + ".weight"), p.get(name + ".bias"), UNIT, UNIT, UNIT).singletonOrThrow();
  }

  /** A 3 x 3 convolution {@code [out, in, 3, 3]} with He-uniform weights and zero bias (all zeros if {@code zero}). */
  private static void putConv(ParameterSet p, SplittableRandom random, String name, int in, int out, boolean zero) {
    float[] w = new float[out * in * KERNEL * KERNEL];
    if (!zero) {
      double bound = Math.sqrt(6.0 / (in * KERNEL * KERNEL));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
    }
    p.put(name + ".weight", new int[] {out, in, KERNEL, KERNEL}, w);
    p.put(name + ".bias", new int[] {out}, new float[out]);
  }
}
