package ram.rewards.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.rewards.Reward;
import ram.rewards.RewardInput;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardResult;
import ram.rewards.RewardSettings;
import ram.rewards.TestFiles;

/**
 * The {@code onnx} reward on the small models of tools/make_onnx_reward_fixtures.py, each a known
 * function of its input (the mean of the red channel, plus 0.01 per prompt byte for the
 * image+text model), so every expected score is worked out here from the pixels: [-1, 1] to
 * [0, 1], resize, {@code (p - mean) / std}. Mismatched models are refused when the reward is
 * created, in one line naming the file.
 */
class OnnxRewardTest {

  static final Path FIXTURES = TestFiles.repo().resolve("rewards/src/test/resources/onnx");

  @TempDir Path tmp;

  static RewardSettings settings(String model, Object... keyValues) {
    RewardSettings s = RewardSettings.of(Map.of("onnx_model", FIXTURES.resolve(model).toString()));
    for (int i = 0; i < keyValues.length; i += 2) {
      s = s.with((String) keyValues[i], keyValues[i + 1]);
    }
    return s;
  }

  /** A [3, h, w] image whose channels hold the constants r, g, b. */
  static float[] constant(int h, int w, float r, float g, float b) {
    float[] data = new float[3 * h * w];
    for (int i = 0; i < h * w; i++) {
      data[i] = r;
      data[h * w + i] = g;
      data[2 * h * w + i] = b;
    }
    return data;
  }

  static RewardInput image(String id, float[] data, int h, int w, String prompt) {
    return new RewardInput(id, data, new int[] {3, h, w}, prompt, null);
  }

  @Test
  void scoresTheRedMeanAfterResizeAndNormalisation() {
    // a red ramp over 8 x 8 at onnx_size 8 (no resize): v = -1 + i / 63, p = i / 126, (p - 0.5) / 0.25
    float[] ramp = constant(8, 8, 0, 0.2f, 0.4f);
    double expectedRamp = 0;
    for (int i = 0; i < 64; i++) {
      ramp[i] = -1f + i / 63f;
      expectedRamp += (((ramp[i] + 1.0) / 2.0) - 0.5) / 0.25 / 64;
    }
    try (Reward reward = RewardRegistry.create("onnx", settings("red_mean.onnx", "onnx_size", 8, "onnx_mean", List.of(0.5, 0.5, 0.5),
        "onnx_std", List.of(0.25, 0.25, 0.25), "onnx_output", "score"))) {
      List<RewardResult> r = reward.score(List.of(
          image("ramp", ramp, 8, 8, ""),
          image("const", constant(32, 32, 0.5f, 0, 0), 32, 32, ""),   // resized to 8: p = 0.75 -> (0.75 - 0.5) / 0.25 = 1
          image("clipped", constant(4, 4, -3f, 0, 0), 4, 4, ""),       // clipped to -1: p = 0 -> -2
          new RewardInput("point", new float[] {1, 2}, new int[] {2}, "", null)));
      assertEquals(expectedRamp, r.get(0).value(), 1e-5);
      assertEquals(-1.0, expectedRamp, 1e-6, "mean p = 0.25: (0.25 - 0.5) / 0.25");
      assertEquals(1.0, r.get(1).value(), 1e-6);
      assertEquals(-2.0, r.get(2).value(), 1e-6);
      assertFalse(r.get(3).ok());
      assertEquals("onnx: sample point: expected an image of shape [3, H, W], got [2]", r.get(3).error());
    }
  }

  @Test
  void readsTheOutputNamedOrNumbered() {
    // green: mean of channel 1, shape [B, 1]; defaults mean 0 std 1: p = (0.6 + 1) / 2 = 0.8
    for (String output : List.of("green", "1")) {
      try (Reward reward = RewardRegistry.create("onnx", settings("red_mean.onnx", "onnx_size", 4, "onnx_output", output))) {
        assertEquals(0.8, reward.score(List.of(image("a", constant(4, 4, 0, 0.6f, 0), 4, 4, ""))).get(0).value(), 1e-6, output);
      }
    }
    try (Reward first = RewardRegistry.create("onnx", settings("red_mean.onnx", "onnx_size", 4))) { // default: output 0, the red mean
      assertEquals(0.25, first.score(List.of(image("a", constant(4, 4, -0.5f, 0.6f, 0), 4, 4, ""))).get(0).value(), 1e-6);
      assertTrue(first.version().matches("1;model-sha256=[0-9a-f]{16};input=image;size=4;mean=0.0,0.0,0.0;std=1.0,1.0,1.0;output=0"),
          first.version());
    }
  }

  @Test
  void imageAndTextGivesThePromptAsByteTokens() {
    // score = red mean + 0.01 * tokens; "ab" is 2 bytes, "héllo" 6 (é is two bytes in UTF-8), "" none
    try (Reward reward = RewardRegistry.create("onnx", settings("image_text.onnx", "onnx_size", 4, "onnx_input", "image+text"))) {
      List<RewardResult> r = reward.score(List.of(image("a", constant(4, 4, 0, 0, 0), 4, 4, "ab"),
          image("b", constant(4, 4, 1, 0, 0), 4, 4, "héllo"), image("c", constant(4, 4, 0, 0, 0), 4, 4, "")));
      assertEquals(0.5 + 0.02, r.get(0).value(), 1e-6);
      assertEquals(1.0 + 0.06, r.get(1).value(), 1e-6);
      assertEquals(0.5, r.get(2).value(), 1e-6);
    }
    assertArrayEquals(new long[] {'a' + 1, 'b' + 1, 0, 0}, PromptTokens.of("ab", 4));
    assertArrayEquals(new long[] {'a' + 1}, PromptTokens.of("ab", 1));
  }

  @Test
  void aModelWithAFixedBatchOfOneRunsImageByImage() {
    try (Reward reward = RewardRegistry.create("onnx", settings("fixed_16.onnx", "onnx_size", 16))) {
      List<RewardResult> r = reward.score(List.of(image("a", constant(16, 16, 0, 0, 0), 16, 16, ""),
          image("b", constant(8, 8, 1, 0, 0), 8, 8, ""), image("c", constant(16, 16, -1, 0, 0), 16, 16, "")));
      assertEquals(List.of(0.5, 1.0, 0.0), r.stream().map(RewardResult::value).toList());
    }
  }

  @Test
  void nonFinitePixelsFailTheirSampleOnly() {
    float[] bad = constant(4, 4, 0, 0, 0);
    bad[21] = Float.NaN;
    try (Reward reward = RewardRegistry.create("onnx", settings("red_mean.onnx", "onnx_size", 4))) {
      List<RewardResult> r = reward.score(List.of(image("good", constant(4, 4, 0, 0, 0), 4, 4, ""), image("bad", bad, 4, 4, "")));
      assertEquals(0.5, r.get(0).value(), 1e-6);
      assertEquals("onnx: sample bad: non-finite pixel value NaN at channel 1, row 1, column 1", r.get(1).error());
    }
  }

  @Test
  void mismatchesAreRefusedInOneLineNamingTheFile() throws Exception {
    Path missing = tmp.resolve("missing.onnx");
    assertEquals("reward 'onnx': onnx_model " + missing + ": no such file",
        refusal(RewardSettings.of(Map.of("onnx_model", missing.toString()))));
    Path junk = Files.writeString(tmp.resolve("junk.onnx"), "not a model");
    assertTrue(refusal(RewardSettings.of(Map.of("onnx_model", junk.toString())))
        .startsWith("reward 'onnx': onnx_model " + junk + ": ONNX Runtime cannot load it: "));
    Path wrongRank = FIXTURES.resolve("wrong_rank.onnx");
    assertEquals("reward 'onnx': onnx_model " + wrongRank + " input 'features' has rank 2 [-1, 10]; expected rank 4: [batch, 3, 224, 224]",
        refusal(settings("wrong_rank.onnx")));
    Path red = FIXTURES.resolve("red_mean.onnx");
    assertEquals("reward 'onnx': onnx_model " + red + " has no output 'aesthetic'; its outputs: (score [-1] float, green [-1, 1] float)",
        refusal(settings("red_mean.onnx", "onnx_output", "aesthetic")));
    assertEquals("reward 'onnx': onnx_model " + red + " has 2 output(s) (score [-1] float, green [-1, 1] float); onnx_output 2 is out "
        + "of range", refusal(settings("red_mean.onnx", "onnx_output", "2")));
    assertEquals("reward 'onnx': onnx_model " + red + " has 1 input(s) (image [-1, 3, -1, -1] float); onnx_input: image+text expects two "
        + "inputs (image [batch, 3, 224, 224] float, tokens [batch, L] int64)", refusal(settings("red_mean.onnx", "onnx_input", "image+text")));
    Path fixed = FIXTURES.resolve("fixed_16.onnx");
    assertEquals("reward 'onnx': onnx_model " + fixed + " input 'image' is [1, 3, 16, 16]; with onnx_size 224 it must take [batch, 3, 224, "
        + "224] (-1: any)", refusal(settings("fixed_16.onnx")));
    assertEquals("reward 'onnx': onnx_mean / onnx_std: mean and std need 3 values (R, G, B), got [0.5] and [1.0, 1.0, 1.0]",
        refusal(settings("red_mean.onnx", "onnx_mean", List.of(0.5))));
    assertEquals("reward 'onnx': onnx_mean / onnx_std: std values must be finite and above 0, got [1.0, 0.0, 1.0]",
        refusal(settings("red_mean.onnx", "onnx_std", List.of(1.0, 0.0, 1.0))));
  }

  private static String refusal(RewardSettings settings) {
    String message = assertThrows(IllegalArgumentException.class, () -> RewardRegistry.create("onnx", settings).close()).getMessage();
    assertEquals(-1, message.indexOf('\n'), "one line: " + message);
    return message;
  }

  /** The resize by hand: a row [a, b] becomes [a, 3a/4 + b/4, a/4 + 3b/4, b] at twice the size (half-pixel centres, edges clamped). */
  @Test
  void bilinearResizeMatchesTheHalfPixelRuleWorkedOutByHand() {
    float a = -1f;      // p = 0
    float b = 1f;       // p = 1
    float[] data = {a, b, a, b, 0, 0, 0, 0, 0, 0, 0, 0}; // [3, 2, 2]: red rows [a, b], [a, b]
    ImagePreprocessing resize = new ImagePreprocessing(4, new double[] {0, 0, 0}, new double[] {1, 1, 1});
    float[] out = new float[resize.length()];
    resize.apply(data, new int[] {3, 2, 2}, out, 0);
    for (int row = 0; row < 4; row++) {
      assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, java.util.Arrays.copyOfRange(out, row * 4, row * 4 + 4), 1e-6f, "row " + row);
    }
    assertEquals(0.5f, out[16], 1e-6f, "green 0 -> p = 0.5");
  }
}
