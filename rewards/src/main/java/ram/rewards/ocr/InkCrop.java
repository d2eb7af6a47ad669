package ram.rewards.ocr;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * Cuts a small canvas down to its inked region and scales it to the recogniser's input height.
 *
 * <p>On a 32-pixel canvas the recogniser alone sees too few columns to spell a word (it emits one
 * step per 8 pixels of width); cropping to the ink first fixes that (docs/stack.md). The
 * background is the median border colour; ink is any pixel differing from it by more than
 * {@link #INK_DIFF} in some channel and having at least one inked neighbour (isolated specks are
 * ignored); the crop adds a 15% margin (at least 2 pixels) filled with the background colour.
 */
final class InkCrop {

  static final int INK_DIFF = 48;
  static final int TARGET_HEIGHT = 48;
  static final int MAX_WIDTH = 640;

  private InkCrop() {}

  /** The inked region scaled to height 48, or null when the image shows no ink. */
  static BufferedImage crop(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    int[] rgb = image.getRGB(0, 0, w, h, null, 0, w);
    int bg = borderMedian(rgb, w, h);
    boolean[] ink = new boolean[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      ink[i] = diff(rgb[i], bg) > INK_DIFF;
    }
    int minX = w, minY = h, maxX = -1, maxY = -1;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (ink[y * w + x] && hasInkedNeighbour(ink, x, y, w, h)) {
          minX = Math.min(minX, x);
          maxX = Math.max(maxX, x);
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    }
    if (maxX < 0) {
      return null;
    }
    int cw = maxX - minX + 1;
    int ch = maxY - minY + 1;
    int margin = (int) Math.max(2, Math.round(0.15 * Math.max(cw, ch)));
    int outW = cw + 2 * margin;
    int outH = ch + 2 * margin;
    BufferedImage cropped = new BufferedImage(outW, outH, BufferedImage.TYPE_INT_RGB);
    int[] fill = new int[outW * outH];
    Arrays.fill(fill, bg);
    cropped.setRGB(0, 0, outW, outH, fill, 0, outW);
    cropped.setRGB(margin, margin, cw, ch, rgb, minY * w + minX, w);
    int scaledW = Math.max(16, Math.min(MAX_WIDTH, Math.round(TARGET_HEIGHT * outW / (float) outH)));
    BufferedImage scaled = new BufferedImage(scaledW, TARGET_HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = scaled.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(cropped, 0, 0, scaledW, TARGET_HEIGHT, null);
    g.dispose();
    return scaled;
  }

  private static boolean hasInkedNeighbour(boolean[] ink, int x, int y, int w, int h) {
    for (int dy = -1; dy <= 1; dy++) {
      for (int dx = -1; dx <= 1; dx++) {
        int nx = x + dx;
        int ny = y + dy;
        if ((dx != 0 || dy != 0) && nx >= 0 && ny >= 0 && nx < w && ny < h && ink[ny * w + nx]) {
          return true;
        }
      }
    }
    return false;
  }

  private static int borderMedian(int[] rgb, int w, int h) {
    int n = 2 * w + 2 * (h - 2);
    int[][] channels = new int[3][Math.max(1, n)];
    int k = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (y == 0 || y == h - 1 || x == 0 || x == w - 1) {
          int p = rgb[y * w + x];
          channels[0][k] = (p >> 16) & 0xFF;
          channels[1][k] = (p >> 8) & 0xFF;
          channels[2][k] = p & 0xFF;
          k++;
        }
      }
    }
    int[] median = new int[3];
    for (int c = 0; c < 3; c++) {
      int[] values = Arrays.copyOf(channels[c], k);
      Arrays.sort(values);
      median[c] = values[k / 2];
    }
    return (median[0] << 16) | (median[1] << 8) | median[2];
  }

  private static int diff(int a, int b) {
    int dr = Math.abs(((a >> 16) & 0xFF) - ((b >> 16) & 0xFF));
    int dg = Math.abs(((a >> 8) & 0xFF) - ((b >> 8) & 0xFF));
    int db = Math.abs((a & 0xFF) - (b & 0xFF));
    return Math.max(dr, Math.max(dg, db));
  }
}
