package ram.rewards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ram.rewards.image.Canvas;

/** Bad samples become per-sample errors (or a plain score), never a failed batch. */
class BadInputTest {

  private static final int S = Canvas.SIZE;
  private static final String CIRCLE = "{\"prompt\":\"a photo of a circle\",\"tag\":\"single_object\",\"include\":[{\"class\":\"circle\",\"count\":1}]}";
  private static final String DOG = "{\"prompt\":\"a photo of a dog\",\"tag\":\"single_object\",\"include\":[{\"class\":\"dog\",\"count\":1}]}";
  private static Reward geneval;
  private static Reward ocr;
  private static Reward compressibility;

  @BeforeAll
  static void create() {
    geneval = RewardRegistry.create("geneval");
    ocr = RewardRegistry.create("ocr");
    compressibility = RewardRegistry.create("compressibility");
  }

  @AfterAll
  static void close() {
    geneval.close();
    ocr.close();
    compressibility.close();
  }

  private static float[] filled(float value) {
    float[] data = new float[3 * S * S];
    Arrays.fill(data, value);
    return data;
  }

  private static List<RewardInput> batch(String prompt, String metadata) {
    float[] nan = filled(0f);
    nan[17] = Float.NaN;
    int[] shape = {3, S, S};
    return List.of(
        new RewardInput("empty", new float[0], new int[] {3, 0, 0}, prompt, metadata),
        new RewardInput("black", filled(-1f), shape, prompt, metadata),
        new RewardInput("nan", nan, shape, prompt, metadata),
        new RewardInput("wrong-shape", filled(0f), new int[] {S, S, 3}, prompt, metadata),
        new RewardInput("grey", filled(0.004f), shape, prompt, metadata));
  }

  @Test
  void genevalReportsEachBadSample() {
    List<RewardResult> r = geneval.score(batch("a photo of a circle", CIRCLE));
    assertEquals(5, r.size());
    assertTrue(r.get(0).error().contains("empty") && r.get(0).error().contains("[3, 0, 0]"), r.get(0).error());
    assertEquals(0.0, r.get(1).value(), 0.0, "an all-black image shows no circle");
    assertTrue(r.get(2).error().contains("non-finite"), r.get(2).error());
    assertFalse(r.get(3).ok());
    assertEquals(0.0, r.get(4).value(), 0.0);
    List<RewardResult> unknown = geneval.score(batch("a photo of a dog", DOG).subList(1, 2));
    assertTrue(unknown.get(0).error().contains("unknown class 'dog'"), unknown.get(0).error());
    List<RewardResult> missing = geneval.score(batch("a photo of a circle", null).subList(1, 2));
    assertTrue(missing.get(0).error().contains("metadata"), missing.get(0).error());
  }

  @Test
  void ocrReportsEachBadSample() {
    List<RewardResult> r = ocr.score(batch("a sign that reads \"CAT\"", null));
    assertFalse(r.get(0).ok());
    assertEquals(0.0, r.get(1).value(), 0.0, "a blank image reads as nothing");
    assertTrue(r.get(2).error().contains("non-finite"), r.get(2).error());
    assertFalse(r.get(3).ok());
    assertEquals(0.0, r.get(4).value(), 0.0);
    List<RewardResult> noQuotes = ocr.score(batch("a sign that reads CAT", null));
    noQuotes.forEach(x -> assertFalse(x.ok()));
    assertTrue(noQuotes.get(1).error().contains("double quotes"), noQuotes.get(1).error());
  }

  @Test
  void compressibilityReportsEachBadSample() {
    List<RewardResult> r = compressibility.score(batch("", null));
    assertFalse(r.get(0).ok());
    assertTrue(r.get(1).value() < 0);
    assertTrue(r.get(2).error().contains("non-finite"), r.get(2).error());
    assertFalse(r.get(3).ok());
  }

  @Test
  void weightedRewardsCombineAndPropagateErrors() {
    Reward constant = new Reward() {
      public String name() {
        return "one";
      }

      public String version() {
        return "1";
      }

      public List<RewardResult> score(List<RewardInput> batch) {
        return batch.stream().map(x -> RewardResult.of(1.0)).toList();
      }
    };
    java.util.Map<Reward, Double> parts = new java.util.LinkedHashMap<>();
    parts.put(constant, 0.5);
    parts.put(compressibility, 2.0);
    WeightedRewards combined = new WeightedRewards(parts);
    List<RewardInput> inputs = batch("", null);
    List<RewardResult> single = compressibility.score(inputs);
    List<RewardResult> r = combined.score(inputs);
    assertEquals(0.5 + 2.0 * single.get(1).value(), r.get(1).value(), 1e-12);
    assertTrue(r.get(2).error().contains("compressibility"), r.get(2).error());
    assertEquals("one:0.5,compressibility:2.0", combined.name());
    assertEquals("one@1,compressibility@1", combined.version());
    try (WeightedRewards parsed = WeightedRewards.parse("compressibility:0.25, toy2d")) {
      assertEquals("compressibility:0.25,toy2d:1.0", parsed.name());
    }
    assertThrows(() -> WeightedRewards.parse("nope:1"));
    assertThrows(() -> WeightedRewards.parse("compressibility:abc"));
  }

  private static void assertThrows(Runnable r) {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, r::run);
  }

  @Test
  void registryKnowsTheImageRewards() {
    assertTrue(RewardRegistry.names().containsAll(List.of("geneval", "ocr", "compressibility", "toy2d")));
  }
}
