package ram.rewards.geneval;

import java.util.Arrays;

/**
 * Rotation-invariant geometry of one region, the features the shapes detector classifies by.
 *
 * <p>{@code solidity} = area / convex area (1 for convex shapes, lower for stars and crosses);
 * {@code compactness} = area / (pi * rmax^2) with rmax the largest centroid distance (about 1 for
 * a circle, 0.64 for a square, 0.41 for a triangle). Convex area is the hull of the pixel centres
 * grown by half a pixel, which makes a convex raster shape score close to 1. {@code fill} =
 * area / bounding-box area (1 for an upright square); {@code flipSymmetry} = share of pixels that
 * stay inside the region when it is flipped upside down within its box (about 1 for circles,
 * squares and crosses, low for upward triangles and stars).
 *
 * @param area pixel count
 * @param solidity area over convex area
 * @param compactness area over the circle through the farthest pixel
 * @param fill area over bounding-box area
 * @param flipSymmetry overlap of the region with its upside-down flip, over its area
 */
record ShapeGeometry(int area, double solidity, double compactness, double fill, double flipSymmetry) {

  /** The features as a vector, in the order the classifier uses. */
  double[] features() {
    return new double[] {solidity, compactness, fill, flipSymmetry};
  }


  /** Measures a region of an image {@code width} pixels wide. */
  static ShapeGeometry of(Regions.Region region, int width) {
    int[] pixels = region.pixels();
    double sx = 0;
    double sy = 0;
    for (int p : pixels) {
      sx += p % width;
      sy += p / width;
    }
    double cx = sx / pixels.length;
    double cy = sy / pixels.length;
    double rmax = 0;
    for (int p : pixels) {
      rmax = Math.max(rmax, Math.hypot(p % width - cx, p / width - cy));
    }
    rmax += 0.5;
    double compactness = pixels.length / (Math.PI * rmax * rmax);
    double solidity = Math.min(1.0, pixels.length / convexArea(pixels, width));
    int boxW = region.maxX() - region.minX() + 1;
    int boxH = region.maxY() - region.minY() + 1;
    double fill = pixels.length / (double) (boxW * boxH);
    return new ShapeGeometry(pixels.length, solidity, compactness, fill, flipSymmetry(region, width, boxW, boxH));
  }

  private static double flipSymmetry(Regions.Region region, int width, int boxW, int boxH) {
    boolean[] inside = new boolean[boxW * boxH];
    for (int p : region.pixels()) {
      inside[(p / width - region.minY()) * boxW + (p % width - region.minX())] = true;
    }
    int kept = 0;
    for (int y = 0; y < boxH; y++) {
      for (int x = 0; x < boxW; x++) {
        if (inside[y * boxW + x] && inside[(boxH - 1 - y) * boxW + x]) {
          kept++;
        }
      }
    }
    return kept / (double) region.area();
  }

  /** Area of the convex hull of the pixel centres, grown by half a pixel in every direction. */
  private static double convexArea(int[] pixels, int width) {
    long[] points = new long[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      points[i] = ((long) (pixels[i] % width) << 32) | (pixels[i] / width);
    }
    Arrays.sort(points);
    int n = points.length;
    int[] hx = new int[2 * n + 1];
    int[] hy = new int[2 * n + 1];
    int k = 0;
    for (int pass = 0; pass < 2; pass++) {
      int lower = k;
      for (int j = 0; j < n; j++) {
        long pt = points[pass == 0 ? j : n - 1 - j];
        int x = (int) (pt >> 32);
        int y = (int) pt;
        while (k - lower >= 2 && cross(hx[k - 2], hy[k - 2], hx[k - 1], hy[k - 1], x, y) <= 0) {
          k--;
        }
        hx[k] = x;
        hy[k] = y;
        k++;
      }
      k--;
    }
    double area = 0;
    double perimeter = 0;
    for (int i = 0; i < k; i++) {
      int j = (i + 1) % k;
      area += (double) hx[i] * hy[j] - (double) hx[j] * hy[i];
      perimeter += Math.hypot(hx[j] - hx[i], hy[j] - hy[i]);
    }
    return Math.abs(area) / 2 + perimeter / 2 + Math.PI / 4;
  }

  private static long cross(int ox, int oy, int ax, int ay, int bx, int by) {
    return (long) (ax - ox) * (by - oy) - (long) (ay - oy) * (bx - ox);
  }
}
