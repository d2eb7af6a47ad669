package ram.rewards.geneval;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import ram.rewards.image.Canvas;
import ram.rewards.image.ImageTensors;

/**
 * The shapes world's object detector: real image analysis, no learned weights.
 *
 * <p>It segments the image into connected regions that differ from the background (see
 * {@link Regions}), names each region's colour from the median colour of its interior pixels
 * ({@link ColorName#classify}), and classifies its shape by the nearest class centre in a space of
 * four rotation-free geometric features ({@link ShapeGeometry}: solidity, compactness, fill,
 * up-down symmetry), with centres measured on ground-truth renders. Confidence is the posterior of
 * the nearest class under equal-variance Gaussians, lowered for regions far from every class
 * centre and for tiny regions, so blobs and noise fall below GenEval's thresholds.
 */
public final class ShapeDetector {

  /** Class centres of the features {solidity, compactness, fill, flipSymmetry}, in ShapeClass order. */
  private static final double[][] CENTRES = {
    {0.960, 0.850, 0.788, 0.966},
    {1.000, 0.676, 0.994, 0.996},
    {0.906, 0.463, 0.576, 0.565},
    {0.690, 0.490, 0.494, 0.647},
    {0.799, 0.665, 0.601, 0.962},
  };
  /**
   * Spread of each feature within a class: the pooled standard deviation on renders (0.022, 0.032,
   * 0.031, 0.032), widened by about a quarter to tolerate imperfect generated shapes.
   */
  private static final double[] SPREAD = {0.028, 0.04, 0.04, 0.04};
  /** Distance (in spreads) from the nearest centre beyond which confidence decays. */
  private static final double OUTLIER_DISTANCE = 4.0;

  private final int minArea;
  private final int fullConfidenceArea;

  /** A detector tuned to the project canvas. */
  public ShapeDetector() {
    this(Canvas.SIZE);
  }

  /** A detector for objects drawn on a canvas of {@code canvasSize} pixels. */
  public ShapeDetector(int canvasSize) {
    double scale = (canvasSize / 32.0) * (canvasSize / 32.0);
    this.minArea = Math.max(4, (int) Math.round(12 * scale));
    this.fullConfidenceArea = Math.max(minArea + 1, (int) Math.round(24 * scale));
  }

  /** Detects the objects of an image tensor ({@code [3, H, W]} in [-1, 1]). */
  public List<Detection> detect(float[] data, int[] shape) {
    return detect(ImageTensors.toImage(data, shape));
  }

  /** Detects the objects of an image, in no particular order. */
  public List<Detection> detect(BufferedImage image) {
    int width = image.getWidth();
    int[] rgb = ImageTensors.pixels(image);
    List<Detection> detections = new ArrayList<>();
    for (Regions.Region region : Regions.find(rgb, width, image.getHeight(), minArea)) {
      ShapeGeometry geometry = ShapeGeometry.of(region, width);
      double[] distances = distances(geometry.features());
      int best = argmin(distances);
      double confidence = posterior(distances, best) * outlierFactor(distances[best]) * sizeFactor(region.area());
      detections.add(new Detection(
          ShapeClass.values()[best].word(),
          region.minX(), region.minY(), region.maxX() + 1, region.maxY() + 1,
          colorOf(region, rgb, width).word(),
          confidence));
    }
    return detections;
  }

  private static double[] distances(double[] features) {
    double[] d = new double[CENTRES.length];
    for (int c = 0; c < CENTRES.length; c++) {
      double sum = 0;
      for (int i = 0; i < features.length; i++) {
        double z = (features[i] - CENTRES[c][i]) / SPREAD[i];
        sum += z * z;
      }
      d[c] = Math.sqrt(sum);
    }
    return d;
  }

  private static int argmin(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] < values[best]) {
        best = i;
      }
    }
    return best;
  }

  /** Posterior of class {@code best} under equal-prior, unit-variance Gaussians around the centres. */
  private static double posterior(double[] distances, int best) {
    double sum = 0;
    double ref = distances[best] * distances[best];
    for (double d : distances) {
      sum += Math.exp(-(d * d - ref) / 2);
    }
    return 1.0 / sum;
  }

  private static double outlierFactor(double distance) {
    double excess = Math.max(0, distance - OUTLIER_DISTANCE);
    return Math.exp(-excess * excess / 8);
  }

  private double sizeFactor(int area) {
    return Math.min(1.0, area / (double) fullConfidenceArea);
  }

  /** The colour name of the median colour of the region's interior (all its pixels if too thin). */
  private static ColorName colorOf(Regions.Region region, int[] rgb, int width) {
    Set<Integer> members = new HashSet<>();
    for (int p : region.pixels()) {
      members.add(p);
    }
    List<Integer> interior = new ArrayList<>();
    for (int p : region.pixels()) {
      boolean inner = p % width > 0 && p % width < width - 1
          && members.contains(p - 1) && members.contains(p + 1)
          && members.contains(p - width) && members.contains(p + width);
      if (inner) {
        interior.add(p);
      }
    }
    int[] chosen = interior.size() >= 3 ? interior.stream().mapToInt(Integer::intValue).toArray() : region.pixels();
    int[] r = new int[chosen.length];
    int[] g = new int[chosen.length];
    int[] b = new int[chosen.length];
    for (int i = 0; i < chosen.length; i++) {
      int c = rgb[chosen[i]];
      r[i] = (c >> 16) & 0xFF;
      g[i] = (c >> 8) & 0xFF;
      b[i] = c & 0xFF;
    }
    return ColorName.classify(median(r), median(g), median(b));
  }

  private static int median(int[] values) {
    Arrays.sort(values);
    return values[values.length / 2];
  }
}
