package ram.model;

import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

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

  private final int channels;

  PixelHead(int channels) {
    this.channels = channels;
  }

  /** Adds the head's parameters: {@code pixel.features}, {@code pixel.condition}, {@code pixel.conv1..3}. */
  void initialize(ParameterSet p, SplittableRandom random, int width, int patch) {
    TransformerOps.putLinear(p, random, "pixel.features", width, featuresPerToken(patch), false);
    TransformerOps.putLinear(p, random, "pixel.condition", width, channels, false);
    ConvOps.putConv(p, random, "pixel.conv1", inputChannels(), channels, KERNEL, false);
    ConvOps.putConv(p, random, "pixel.conv2", channels, channels, KERNEL, false);
    ConvOps.putConv(p, random, "pixel.conv3", channels, 3, KERNEL, true);
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
    NDArray h = Activation.gelu(ConvOps.conv(p, "pixel.conv1", input, 1).add(bias));
    h = h.add(Activation.gelu(ConvOps.conv(p, "pixel.conv2", h, 1)));
    return velocity.add(ConvOps.conv(p, "pixel.conv3", h, 1));
  }

  /** Multiply-add FLOPs (2 per multiply-add) of the head for one image of {@code pixels} pixels, {@code tokens} tokens. */
  long flops(long pixels, long tokens, int width, int patch) {
    long convs = (long) KERNEL * KERNEL * (inputChannels() * channels + channels * channels + channels * 3);
    return 2 * pixels * convs + 2 * tokens * width * featuresPerToken(patch) + 2L * width * channels;
  }

  private int inputChannels() {
    return 3 + 3 + FEATURES;
  }
}
