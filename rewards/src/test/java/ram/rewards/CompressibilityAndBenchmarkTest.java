package ram.rewards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import ram.rewards.image.Canvas;

class CompressibilityAndBenchmarkTest {

  @Test
  void flatImagesCompressBetterThanNoise() {
    int n = 3 * Canvas.SIZE * Canvas.SIZE;
    float[] flat = new float[n];
    float[] noise = new float[n];
    Random random = new Random(1);
    for (int i = 0; i < n; i++) {
      noise[i] = random.nextFloat() * 2 - 1;
    }
    int[] shape = {3, Canvas.SIZE, Canvas.SIZE};
    List<RewardResult> r = new CompressibilityReward().score(List.of(
        new RewardInput("flat", flat, shape, "", null), new RewardInput("noise", noise, shape, "", null)));
    assertEquals(-CompressibilityReward.jpegBytes(flat, shape) / 1000.0, r.get(0).value(), 1e-12);
    assertTrue(r.get(0).value() > r.get(1).value(), r.toString());
    assertTrue(r.get(1).value() < -1.0, "noise at q95 is over 1 kB: " + r.get(1).value());
  }

  @Test
  void benchmarkPrintsOneLinePerReward() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    RewardBenchmark.run(new PrintStream(bytes, true, StandardCharsets.UTF_8), 20);
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertEquals(3, lines.size(), lines.toString());
    for (String name : List.of("geneval", "ocr", "compressibility")) {
      assertTrue(lines.stream().anyMatch(l -> l.startsWith("BENCH reward=" + name + " images=20 seconds=") && l.contains("images_per_s=") && l.endsWith("failed=0")), lines.toString());
    }
  }
}
