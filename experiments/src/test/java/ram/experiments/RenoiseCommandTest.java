package ram.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code experiments/run renoise} on the shipped base: shapes and words handed back, a grid, and its refusals. */
class RenoiseCommandTest {

  @Test
  void renoiseKeepsEveryRenderAtTimeZeroAndWritesOneColumnPerStartTime(@TempDir Path tmp) throws Exception {
    System.setProperty("ram.home", GradientsCommandTest.HOME.toString());
    Path png = tmp.resolve("renoise.png");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Experiments.run(new String[] {"renoise", "--n", "3", "--steps", "4", "--out", png.toString()},
        new PrintStream(out, true), new PrintStream(err, true));
    assertEquals(0, code, err.toString());
    String text = out.toString();
    assertTrue(text.contains("RESULT renoise_t0.00_kept=1.0000"), text);
    assertEquals(RenoiseCommand.START_TIMES.length, text.lines().filter(l -> l.startsWith("RESULT renoise_t")).count(), text);
    var image = javax.imageio.ImageIO.read(png.toFile());
    assertEquals(6 * (128 + 2) + 2, image.getWidth());
    assertEquals(3 * (128 + 2) + 2, image.getHeight());
    ByteArrayOutputStream bad = new ByteArrayOutputStream();
    assertTrue(Experiments.run(new String[] {"renoise", "--t0", "0.3"}, new PrintStream(new ByteArrayOutputStream(), true),
        new PrintStream(bad, true)) != 0);
    assertTrue(bad.toString().contains("--t0"), bad.toString());
  }

  @Test
  void renoiseOfTextScoresTheReturnedWordsWithOcr(@TempDir Path tmp) throws Exception {
    System.setProperty("ram.home", GradientsCommandTest.HOME.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Experiments.run(new String[] {"renoise", "--world", "text", "--n", "3", "--steps", "4", "--out", tmp.resolve("t.png").toString()},
        new PrintStream(out, true), new PrintStream(err, true));
    assertEquals(0, code, err.toString());
    String text = out.toString();
    double atZero = Double.parseDouble(text.lines().filter(l -> l.startsWith("RESULT renoise_t0.00_ocr=")).findFirst()
        .orElseThrow(() -> new AssertionError(text)).split("=")[1]);
    assertTrue(atZero > 0.6, "ground-truth words handed back at t0 = 0 should read: " + text);
    assertEquals(RenoiseCommand.START_TIMES.length, text.lines().filter(l -> l.startsWith("RESULT renoise_t")).count(), text);
    ByteArrayOutputStream bad = new ByteArrayOutputStream();
    assertTrue(Experiments.run(new String[] {"renoise", "--world", "faces"}, new PrintStream(new ByteArrayOutputStream(), true),
        new PrintStream(bad, true)) != 0);
    assertTrue(bad.toString().contains("--world must be shapes or text"), bad.toString());
  }
}
