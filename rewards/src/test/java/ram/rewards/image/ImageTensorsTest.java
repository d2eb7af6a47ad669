package ram.rewards.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageTensorsTest {

  @Test
  void roundTripKeepsEveryPixel() {
    BufferedImage image = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 3; y++) {
      for (int x = 0; x < 5; x++) {
        image.setRGB(x, y, (x * 50) << 16 | (y * 100) << 8 | (x * y * 20));
      }
    }
    float[] tensor = ImageTensors.toTensor(image);
    assertArrayEquals(new int[] {3, 3, 5}, ImageTensors.shapeOf(image));
    assertEquals(-1f, tensor[0], 1e-6);
    assertEquals(200 / 255f * 2 - 1, tensor[4], 1e-6);
    assertEquals(200 / 255f * 2 - 1, tensor[15 + 2 * 5], 1e-6);
    BufferedImage back = ImageTensors.toImage(tensor, new int[] {3, 3, 5});
    assertArrayEquals(ImageTensors.pixels(image), ImageTensors.pixels(back));
  }

  @Test
  void clipsOvershootAndRejectsBadTensors() {
    BufferedImage image = ImageTensors.toImage(new float[] {2f, -3f, 0f}, new int[] {3, 1, 1});
    assertEquals(0xFF0080, image.getRGB(0, 0) & 0xFFFFFF);
    assertThrows(IllegalArgumentException.class, () -> ImageTensors.toImage(new float[0], new int[] {3, 0, 0}));
    assertThrows(IllegalArgumentException.class, () -> ImageTensors.toImage(new float[12], new int[] {3, 2, 3}));
    assertThrows(IllegalArgumentException.class, () -> ImageTensors.toImage(new float[4], new int[] {4}));
    IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
        () -> ImageTensors.toImage(new float[] {0, Float.NaN, 0, 0, 0, 0}, new int[] {3, 1, 2}));
    assertTrue(nan.getMessage().contains("row 0, column 1"), nan.getMessage());
  }

  @Test
  void metricsMeasureDistances() {
    float[] a = {0, 0};
    float[] b = {3, 4};
    float[] c = {0, 8};
    assertEquals(5.0, ImageMetrics.l2(a, b), 1e-9);
    assertEquals((5.0 + 8.0 + 5.0) / 3, ImageMetrics.diversity(List.of(a, b, c)), 1e-9);
    assertEquals(0.0, ImageMetrics.diversity(List.of(a)), 0.0);
    assertEquals((5.0 + 0.0) / 2, ImageMetrics.driftFromBase(List.of(b, c), List.of(a, c)), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.driftFromBase(List.of(a), List.of()));
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.l2(a, new float[3]));
  }
}
