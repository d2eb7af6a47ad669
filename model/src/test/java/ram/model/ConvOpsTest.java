package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * {@link ConvOps#conv}'s gradients against a float64 reference (which libtorch computes without
 * oneDNN), for output-channel counts the networks use. With {@link ConvOps#CHANNEL_BLOCK} at 1
 * (the plain engine call) the 3-, 8- and 24-channel cases fail on the 2-core machine: the input
 * gradient's cosine with the reference is 0.45, 0.75 and 0.95.
 */
class ConvOpsTest {

  private static final int BATCH = 4;
  private static final int IN = 32;
  private static final int SIZE = 16;

  /** Input, weight and bias gradients of {@code sum((conv(x) - target)^2)}, as doubles, in one array each. */
  private static double[][] gradients(int out, int kernel, DataType type) {
    try (NDManager m = NDManager.newBaseManager(Devices.current())) {
      NDArray x = m.create(Noise.gaussian(Noise.seed(1, out), BATCH * IN * SIZE * SIZE), new Shape(BATCH, IN, SIZE, SIZE)).toType(type, true);
      NDArray w = m.create(Noise.gaussian(Noise.seed(2, out), out * IN * kernel * kernel), new Shape(out, IN, kernel, kernel))
          .toType(type, true);
      NDArray b = m.create(Noise.gaussian(Noise.seed(3, out), out), new Shape(out)).toType(type, true);
      NDArray target = m.create(Noise.gaussian(Noise.seed(4, out), BATCH * out * SIZE * SIZE), new Shape(BATCH, out, SIZE, SIZE))
          .toType(type, true);
      for (NDArray a : new NDArray[] {x, w, b}) {
        a.setRequiresGradient(true);
      }
      Map<String, NDArray> p = Map.of("c.weight", w, "c.bias", b);
      try (GradientCollector collector = Autograd.collector()) {
        NDArray y = ConvOps.conv(p, "c", x, 1);
        collector.backward(y.sub(target).square().sum());
      }
      return new double[][] {x.getGradient().toType(DataType.FLOAT64, true).toDoubleArray(),
          w.getGradient().toType(DataType.FLOAT64, true).toDoubleArray(), b.getGradient().toType(DataType.FLOAT64, true).toDoubleArray()};
    }
  }

  @ParameterizedTest(name = "{0} output channels, {1} x {1}")
  @CsvSource({"3, 3", "8, 3", "24, 3", "32, 3", "3, 1"})
  void everyGradientMatchesTheFloat64Reference(int out, int kernel) {
    double[][] reference = gradients(out, kernel, DataType.FLOAT64);
    double[][] actual = gradients(out, kernel, DataType.FLOAT32);
    for (int i = 0; i < 3; i++) {
      double scale = 0;
      for (double v : reference[i]) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertArrayEquals(reference[i], actual[i], 1e-4 * scale, "gradient " + i + " (input, weight, bias)");
    }
  }
}
