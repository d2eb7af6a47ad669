package ram.rewards.onnx;

import java.util.Arrays;

/**
 * Turns an image tensor into what an image model expects: values in [-1, 1] to [0, 1] (clipped),
 * bilinear resize to {@code size x size}, then {@code (p - mean[c]) / std[c]} per channel. The
 * resize is PyTorch's {@code F.interpolate(mode="bilinear", align_corners=False)} without
 * antialiasing: pixel centres at half-integer positions, edges clamped. Works on floats
 * throughout, so nothing is rounded to 8 bits on the way.
 */
public final class ImagePreprocessing {

  private final int size;
  private final double[] mean;
  private final double[] std;

  /**
   * @param size output height and width
   * @param mean per-channel mean (3 values)
   * @param std per-channel standard deviation (3 values, each above 0)
   */
  public ImagePreprocessing(int size, double[] mean, double[] std) {
    if (size <= 0) {
      throw new IllegalArgumentException("size must be positive, got " + size);
    }
    if (mean.length != 3 || std.length != 3) {
      throw new IllegalArgumentException("mean and std need 3 values (R, G, B), got " + Arrays.toString(mean) + " and "
          + Arrays.toString(std));
    }
    for (double s : std) {
      if (!(s > 0) || !Double.isFinite(s)) {
        throw new IllegalArgumentException("std values must be finite and above 0, got " + Arrays.toString(std));
      }
    }
    this.size = size;
    this.mean = mean.clone();
    this.std = std.clone();
  }

  /** Values per image: {@code 3 * size * size}. */
  public int length() {
    return 3 * size * size;
  }

  /**
   * Writes the model input of one image into {@code out} at {@code offset} ({@link #length()} values, channel-major).
   *
   * @throws IllegalArgumentException if the tensor is not {@code [3, H, W]} or holds a non-finite value
   */
  public void apply(float[] data, int[] shape, float[] out, int offset) {
    if (shape == null || shape.length != 3 || shape[0] != 3 || shape[1] <= 0 || shape[2] <= 0) {
      throw new IllegalArgumentException("expected an image of shape [3, H, W], got " + Arrays.toString(shape));
    }
    int height = shape[1];
    int width = shape[2];
    if (data.length != 3 * height * width) {
      throw new IllegalArgumentException("image data has " + data.length + " values, shape " + Arrays.toString(shape) + " needs "
          + 3 * height * width);
    }
    for (int i = 0; i < data.length; i++) {
      if (!Float.isFinite(data[i])) {
        throw new IllegalArgumentException("non-finite pixel value " + data[i] + " at channel " + i / (height * width) + ", row "
            + i % (height * width) / width + ", column " + i % width);
      }
    }
    for (int c = 0; c < 3; c++) {
      int plane = c * height * width;
      for (int y = 0; y < size; y++) {
        double sy = source(y, height);
        int y0 = (int) Math.floor(sy);
        int y1 = Math.min(y0 + 1, height - 1);
        double fy = sy - y0;
        for (int x = 0; x < size; x++) {
          double sx = source(x, width);
          int x0 = (int) Math.floor(sx);
          int x1 = Math.min(x0 + 1, width - 1);
          double fx = sx - x0;
          double top = (1 - fx) * unit(data[plane + y0 * width + x0]) + fx * unit(data[plane + y0 * width + x1]);
          double bottom = (1 - fx) * unit(data[plane + y1 * width + x0]) + fx * unit(data[plane + y1 * width + x1]);
          double p = (1 - fy) * top + fy * bottom;
          out[offset + (c * size + y) * size + x] = (float) ((p - mean[c]) / std[c]);
        }
      }
    }
  }

  /** The source coordinate of output pixel {@code i} (half-pixel centres), clamped to [0, n - 1]. */
  private double source(int i, int n) {
    double s = (i + 0.5) * n / size - 0.5;
    return Math.max(0, Math.min(n - 1, s));
  }

  /** A tensor value in [-1, 1] as a pixel in [0, 1], clipped. */
  private static double unit(float v) {
    return (Math.max(-1f, Math.min(1f, v)) + 1.0) / 2.0;
  }
}
