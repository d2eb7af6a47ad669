package ram.rewards.image;

import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Converts between the project's image tensors and Java2D images.
 *
 * <p>An image tensor is {@code [3, H, W]} RGB, row-major (channel, then row, then column), with
 * values in [-1, 1]; pixel = (v + 1) / 2 * 255. Values outside [-1, 1] are clipped when drawing,
 * because a generator's raw output may overshoot slightly; non-finite values are rejected.
 */
public final class ImageTensors {

  private ImageTensors() {}

  /** The tensor shape {@code [3, H, W]} of an image. */
  public static int[] shapeOf(BufferedImage image) {
    return new int[] {3, image.getHeight(), image.getWidth()};
  }

  /**
   * Decodes a tensor into an RGB image.
   *
   * @throws IllegalArgumentException if the shape is not {@code [3, H, W]} with H, W > 0, the data
   *     length does not match it, or a value is NaN or infinite (the message says which pixel)
   */
  public static BufferedImage toImage(float[] data, int[] shape) {
    if (data == null || shape == null) {
      throw new IllegalArgumentException("image tensor or shape is missing");
    }
    if (shape.length != 3 || shape[0] != 3 || shape[1] <= 0 || shape[2] <= 0) {
      throw new IllegalArgumentException("expected an image of shape [3, H, W] with H, W > 0, got " + Arrays.toString(shape));
    }
    int height = shape[1];
    int width = shape[2];
    int plane = height * width;
    if (data.length != 3 * plane) {
      throw new IllegalArgumentException("image data has " + data.length + " values, shape " + Arrays.toString(shape) + " needs " + 3 * plane);
    }
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    int[] rgb = new int[plane];
    for (int i = 0; i < plane; i++) {
      int r = toByte(data[i], i, width);
      int g = toByte(data[plane + i], i, width);
      int b = toByte(data[2 * plane + i], i, width);
      rgb[i] = (r << 16) | (g << 8) | b;
    }
    image.setRGB(0, 0, width, height, rgb, 0, width);
    return image;
  }

  /** Encodes an image as a {@code [3, H, W]} tensor in [-1, 1]. */
  public static float[] toTensor(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    int plane = width * height;
    int[] rgb = image.getRGB(0, 0, width, height, null, 0, width);
    float[] data = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      data[i] = fromByte((rgb[i] >> 16) & 0xFF);
      data[plane + i] = fromByte((rgb[i] >> 8) & 0xFF);
      data[2 * plane + i] = fromByte(rgb[i] & 0xFF);
    }
    return data;
  }

  /** Packed 0xRRGGBB pixels of an image, row-major. */
  public static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }

  private static int toByte(float v, int index, int width) {
    if (!Float.isFinite(v)) {
      throw new IllegalArgumentException("non-finite pixel value " + v + " at row " + index / width + ", column " + index % width);
    }
    float clipped = Math.max(-1f, Math.min(1f, v));
    return Math.round((clipped + 1f) * 0.5f * 255f);
  }

  private static float fromByte(int b) {
    return b / 255f * 2f - 1f;
  }
}
