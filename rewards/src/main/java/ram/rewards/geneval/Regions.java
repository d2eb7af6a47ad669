package ram.rewards.geneval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Connected regions of an RGB image that differ from its background: the segmentation step of the
 * shapes detector.
 *
 * <p>The background is the per-channel median of the border pixels; a pixel is foreground when
 * any channel differs from it by more than {@link #FOREGROUND_DIFF}. Regions are 8-connected.
 */
final class Regions {

  /** Channel difference (0-255) above which a pixel is foreground. */
  static final int FOREGROUND_DIFF = 40;

  private Regions() {}

  /** One region: its pixel indices (row * width + column) and its bounding box. */
  record Region(int[] pixels, int minX, int minY, int maxX, int maxY) {
    int area() {
      return pixels.length;
    }
  }

  /** The background colour as packed 0xRRGGBB: the median of the border pixels, per channel. */
  static int background(int[] rgb, int width, int height) {
    List<Integer> border = new ArrayList<>();
    for (int x = 0; x < width; x++) {
      border.add(rgb[x]);
      border.add(rgb[(height - 1) * width + x]);
    }
    for (int y = 1; y < height - 1; y++) {
      border.add(rgb[y * width]);
      border.add(rgb[y * width + width - 1]);
    }
    int[] r = new int[border.size()];
    int[] g = new int[border.size()];
    int[] b = new int[border.size()];
    for (int i = 0; i < border.size(); i++) {
      int p = border.get(i);
      r[i] = (p >> 16) & 0xFF;
      g[i] = (p >> 8) & 0xFF;
      b[i] = p & 0xFF;
    }
    return (median(r) << 16) | (median(g) << 8) | median(b);
  }

  /** Foreground regions with at least {@code minArea} pixels. */
  static List<Region> find(int[] rgb, int width, int height, int minArea) {
    int bg = background(rgb, width, height);
    boolean[] fg = new boolean[rgb.length];
    for (int i = 0; i < rgb.length; i++) {
      fg[i] = channelDiff(rgb[i], bg) > FOREGROUND_DIFF;
    }
    boolean[] seen = new boolean[rgb.length];
    int[] stack = new int[rgb.length];
    List<Region> regions = new ArrayList<>();
    for (int start = 0; start < rgb.length; start++) {
      if (!fg[start] || seen[start]) {
        continue;
      }
      int top = 0;
      int count = 0;
      int[] members = new int[rgb.length];
      stack[top++] = start;
      seen[start] = true;
      int minX = width, minY = height, maxX = -1, maxY = -1;
      while (top > 0) {
        int p = stack[--top];
        members[count++] = p;
        int x = p % width;
        int y = p / width;
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, y);
        maxY = Math.max(maxY, y);
        for (int dy = -1; dy <= 1; dy++) {
          for (int dx = -1; dx <= 1; dx++) {
            int nx = x + dx;
            int ny = y + dy;
            if (nx < 0 || ny < 0 || nx >= width || ny >= height) {
              continue;
            }
            int q = ny * width + nx;
            if (fg[q] && !seen[q]) {
              seen[q] = true;
              stack[top++] = q;
            }
          }
        }
      }
      if (count >= minArea) {
        regions.add(new Region(Arrays.copyOf(members, count), minX, minY, maxX, maxY));
      }
    }
    return regions;
  }

  /** Largest absolute channel difference between two packed colours. */
  static int channelDiff(int a, int b) {
    int dr = Math.abs(((a >> 16) & 0xFF) - ((b >> 16) & 0xFF));
    int dg = Math.abs(((a >> 8) & 0xFF) - ((b >> 8) & 0xFF));
    int db = Math.abs((a & 0xFF) - (b & 0xFF));
    return Math.max(dr, Math.max(dg, db));
  }

  private static int median(int[] values) {
    int[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
