package ram.rewards.image;

import java.util.List;

/**
 * Weight-free image-quality metrics for evaluation, on image tensors of equal length.
 *
 * <p>Diversity guards against mode collapse (one image per prompt); drift from base measures how
 * far fine-tuning moved the images that the base model made from the same noise.
 */
public final class ImageMetrics {

  private ImageMetrics() {}

  /**
   * Mean pairwise L2 distance between the images of one prompt (0 for fewer than two images).
   *
   * @throws IllegalArgumentException if the images differ in length
   */
  public static double diversity(List<float[]> images) {
    int n = images.size();
    if (n < 2) {
      return 0.0;
    }
    double sum = 0;
    int pairs = 0;
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        sum += l2(images.get(i), images.get(j));
        pairs++;
      }
    }
    return sum / pairs;
  }

  /**
   * Mean L2 distance between paired images: {@code tuned.get(i)} and {@code base.get(i)} come from
   * the same prompt and the same initial noise.
   *
   * @throws IllegalArgumentException if the lists or images differ in length, or are empty
   */
  public static double driftFromBase(List<float[]> tuned, List<float[]> base) {
    if (tuned.size() != base.size() || tuned.isEmpty()) {
      throw new IllegalArgumentException("drift needs equally many paired images, got " + tuned.size() + " and " + base.size());
    }
    double sum = 0;
    for (int i = 0; i < tuned.size(); i++) {
      sum += l2(tuned.get(i), base.get(i));
    }
    return sum / tuned.size();
  }

  /** Euclidean distance between two tensors of equal length. */
  public static double l2(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("images differ in size: " + a.length + " vs " + b.length + " values");
    }
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      sum += d * d;
    }
    return Math.sqrt(sum);
  }
}
