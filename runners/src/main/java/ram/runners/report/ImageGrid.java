package ram.runners.report;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import ram.rewards.image.ImageTensors;

/**
 * Writes image tensors ({@code [3, H, W]} in [-1, 1]) as one PNG grid, each pixel scaled up
 * (nearest neighbour) so that a person can look at 32 x 32 samples.
 */
public final class ImageGrid {

  private static final int GAP = 2;

  private ImageGrid() {}

  /** The grid: {@code columns} per row, every pixel {@code scale} x {@code scale}, white gaps. */
  public static BufferedImage grid(List<float[]> images, int[] shape, int columns, int scale) {
    int h = shape[1] * scale;
    int w = shape[2] * scale;
    int cols = Math.min(columns, images.size());
    int rows = (images.size() + cols - 1) / cols;
    BufferedImage out = new BufferedImage(cols * (w + GAP) + GAP, rows * (h + GAP) + GAP, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, out.getWidth(), out.getHeight());
    for (int i = 0; i < images.size(); i++) {
      BufferedImage image = ImageTensors.toImage(images.get(i), shape);
      g.drawImage(image, GAP + (i % cols) * (w + GAP), GAP + (i / cols) * (h + GAP), w, h, null);
    }
    g.dispose();
    return out;
  }

  /** Writes the grid to {@code file} (parent folders created; written to a temporary file, then moved). */
  public static void write(Path file, List<float[]> images, int[] shape, int columns, int scale) {
    try {
      java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
      if (!ImageIO.write(grid(images, shape, columns, scale), "png", png)) {
        throw new IllegalStateException("no PNG writer in this JVM");
      }
      ram.model.DurableFiles.write(file, png.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
