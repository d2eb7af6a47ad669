package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The image DiT, its LoRA adapters, CFG and checkpoints, on a small word-bag DiT built here (no
 * architecture of the registry), so the suite stays fast; the chain's own sizes are checked by count.
 */
class DitVelocityNetworkTest {

  /** A small DiT with word bags: a test fixture, not a registered architecture. */
  static final DitVelocityNetwork.Config SMALL = new DitVelocityNetwork.Config(32, 4, 64, 2, 2, 1, 64, false);
  private static final List<String> PROMPTS = List.of("a photo of a red circle", "", "a sign that reads \"CAT\"");
  private final DitVelocityNetwork network = new DitVelocityNetwork(SMALL);

  static float[] velocity(VelocityNetwork net, ParameterSet p, float[] x, float time, List<String> prompts) {
    try (NDManager manager = NDManager.newBaseManager()) {
      float[] t = new float[prompts.size()];
      java.util.Arrays.fill(t, time);
      NDArray xs = manager.create(x, new Shape(OdeSampler.batchShape(prompts.size(), net.sampleShape())));
      return net.velocity(p.toNDList(manager), xs, manager.create(t), prompts).toFloatArray();
    }
  }

  /** Parameters with every adaLN-Zero layer perturbed, so that all blocks and the output layer contribute. */
  private ParameterSet trainedLooking(long seed) {
    return perturbed(network.initialize(seed), seed);
  }

  private static ParameterSet perturbed(ParameterSet p, long seed) {
    return perturbed(p, seed, name -> name.contains("adaln") || name.startsWith("final.out"));
  }

  /** {@code p} with the named (zero-initialised) parameters set to small noise, so that they contribute. */
  static ParameterSet perturbed(ParameterSet p, long seed, java.util.function.Predicate<String> zeroInitialised) {
    float[] noise = Noise.gaussian(seed, 1 << 16);
    int k = 0;
    for (String name : p.names()) {
      if (zeroInitialised.test(name)) {
        float[] v = p.get(name);
        for (int i = 0; i < v.length; i++) {
          v[i] = 0.05f * noise[k++ % noise.length];
        }
      }
    }
    return p;
  }

  @Test
  void baseParameterCountIsWithinBudget() {
    DitVelocityNetwork base = (DitVelocityNetwork) Networks.create("dit-32px-p4-d128-l4-wi");
    long n = base.initialize(0).size();
    assertEquals(2_237_744, n);
    assertEquals(2_106_672 + CharTextEncoder.WORD_IDS * 128, n);
    assertEquals(2_106_672, Networks.create("dit-32px-p4-d128-l4-w").initialize(0).size());
    assertTrue(n <= 5_000_000);
    assertArrayEquals(new int[] {3, 32, 32}, base.sampleShape());
  }

  @Test
  void noTwoWordsOfTheWorldsShareBothIdentityBuckets() {
    List<String> words = List.of("a", "above", "an", "and", "below", "black", "blue", "brown", "circle", "circles", "cross",
        "crosses", "four", "green", "image", "label", "left", "of", "on", "orange", "painted", "photo", "picture", "pink",
        "poster", "purple", "reads", "red", "right", "says", "sign", "square", "squares", "star", "stars", "text", "that",
        "the", "three", "triangle", "triangles", "two", "wall", "white", "with", "word", "yellow");
    java.util.Set<List<Integer>> seen = new java.util.HashSet<>();
    for (String w : words) {
      int[] ids = CharTextEncoder.wordIds(w);
      assertTrue(ids[0] >= 0 && ids[0] < CharTextEncoder.WORD_IDS && ids[1] >= 0 && ids[1] < CharTextEncoder.WORD_IDS);
      assertTrue(seen.add(List.of(Math.min(ids[0], ids[1]), Math.max(ids[0], ids[1]))), w);
    }
    assertEquals(null, CharTextEncoder.wordIds("\"CAT\""));
  }

  @Test
  void zeroWordIdentitiesGiveTheWordBagNetworkExactly() {
    DitVelocityNetwork bags = new DitVelocityNetwork(DitVelocityNetwork.BASE_WORD_BAGS);
    DitVelocityNetwork ids = new DitVelocityNetwork(DitVelocityNetwork.BASE);
    ParameterSet p = perturbed(bags.initialize(6), 6);
    ParameterSet grown = p.grownInto(ids.initialize(0));
    ParameterSet random = p.grownInto(ids.initialize(0));
    float[] table = random.get("text.word_id");
    System.arraycopy(Noise.gaussian(3, table.length), 0, table, 0, table.length);
    float[] x = Noise.gaussian(4, 3 * bags.sampleSize());
    float[] expected = velocity(bags, p, x, 0.7f, PROMPTS);
    assertArrayEquals(expected, velocity(ids, grown, x, 0.7f, PROMPTS));
    float[] withIdentities = velocity(ids, random, x, 0.7f, PROMPTS);
    int d = bags.sampleSize();
    assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(expected, 0, d), java.util.Arrays.copyOfRange(withIdentities, 0, d)));
    assertArrayEquals(java.util.Arrays.copyOfRange(expected, d, 2 * d), java.util.Arrays.copyOfRange(withIdentities, d, 2 * d),
        "the empty prompt has no words, so no identities");
    // the quoted word has no identity, but the template words do: the OCR prompt changes too
    assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(expected, 2 * d, 3 * d),
        java.util.Arrays.copyOfRange(withIdentities, 2 * d, 3 * d)));
  }

  @Test
  void outputHasTheSampleShapeAndDependsOnThePrompt() {
    ParameterSet p = trainedLooking(1);
    float[] x = Noise.gaussian(7, 3 * network.sampleSize());
    float[] v = velocity(network, p, x, 0.5f, PROMPTS);
    assertEquals(x.length, v.length);
    float[] other = velocity(network, p, x, 0.5f, List.of("a photo of a blue star", "", "a sign that reads \"DOG\""));
    int d = network.sampleSize();
    assertFalse(java.util.Arrays.equals(java.util.Arrays.copyOfRange(v, 0, d), java.util.Arrays.copyOfRange(other, 0, d)));
    assertArrayEquals(java.util.Arrays.copyOfRange(v, d, 2 * d), java.util.Arrays.copyOfRange(other, d, 2 * d));
  }

  @Test
  void samplingIsDeterministicForASeed() {
    ParameterSet p = trainedLooking(2);
    OdeSampler sampler = new OdeSampler(3, 3.0, 2.0);
    float[] noise = Noise.gaussian(11, 3 * network.sampleSize());
    float[] a = sampler.sample(network, p, noise, PROMPTS);
    float[] b = sampler.sample(network, p, noise, PROMPTS);
    assertArrayEquals(a, b);
    assertFalse(java.util.Arrays.equals(a, noise));
  }

  @Test
  void guidanceScaleOneIsTheConditionalVelocity() {
    ParameterSet p = trainedLooking(3);
    float[] noise = Noise.gaussian(5, 3 * network.sampleSize());
    float[] sampled = new OdeSampler(1, 1.0, 1.0).sample(network, p, noise, PROMPTS);
    float[] v = velocity(network, p, noise, 1f, PROMPTS);
    float[] expected = new float[noise.length];
    for (int i = 0; i < noise.length; i++) {
      expected[i] = noise[i] + (0f - 1f) * v[i];
    }
    assertArrayEquals(expected, sampled);
    float[] guided = new OdeSampler(1, 1.0 + 1e-9, 1.0).sample(network, p, noise, PROMPTS);
    assertArrayEquals(expected, guided, 1e-4f);
  }

  @Test
  void loraWithZeroBIsExactlyTheBase() {
    ParameterSet base = trainedLooking(4);
    LoraNetwork lora = new LoraNetwork(network, base, LoraNetwork.Config.allLinear(4, 8));
    ParameterSet adapters = lora.initialize(9);
    assertEquals(7 * network.config().depth(), lora.targetLayers().size());
    float[] x = Noise.gaussian(8, 3 * network.sampleSize());
    assertArrayEquals(velocity(network, base, x, 0.3f, PROMPTS), velocity(lora, adapters, x, 0.3f, PROMPTS));
    assertEquals(base, lora.merge(adapters));
  }

  @Test
  void loraWithNonZeroBChangesTheOutputAndMergesIntoTheBase() {
    ParameterSet base = trainedLooking(5);
    LoraNetwork lora = new LoraNetwork(network, base, new LoraNetwork.Config(2, 4, List.of("block\\d+\\.attn\\.qkv", "block1\\.mlp\\.fc2")));
    ParameterSet adapters = lora.initialize(1);
    for (String name : adapters.names()) {
      if (name.endsWith(".B")) {
        float[] b = adapters.get(name);
        float[] noise = Noise.gaussian(name.hashCode(), b.length);
        for (int i = 0; i < b.length; i++) {
          b[i] = 0.05f * noise[i];
        }
      }
    }
    float[] x = Noise.gaussian(4, 3 * network.sampleSize());
    float[] adapted = velocity(lora, adapters, x, 0.6f, PROMPTS);
    assertFalse(java.util.Arrays.equals(velocity(network, base, x, 0.6f, PROMPTS), adapted));
    assertArrayEquals(adapted, velocity(network, lora.merge(adapters), x, 0.6f, PROMPTS), 1e-4f);
    OdeSampler sampler = new OdeSampler(3, 2.0, 1.0); // encodes prompts and adapted weights once for all steps
    assertArrayEquals(sampler.sample(network, lora.merge(adapters), x, PROMPTS), sampler.sample(lora, adapters, x, PROMPTS), 1e-4f);
    assertThrows(IllegalArgumentException.class,
        () -> new LoraNetwork(network, base, new LoraNetwork.Config(2, 4, List.of("no.such.layer"))));
  }

  @Test
  void savedAndLoadedCheckpointGivesBitIdenticalOutputs(@TempDir Path dir) {
    ParameterSet p = trainedLooking(6);
    Path target = dir.resolve("base");
    Checkpoint.writeDirectory(target, Checkpoint.encodeBase(p, network.architecture(), Map.of("seed", 6)));
    ParameterSet loaded = Checkpoint.decodeTheta(Checkpoint.readDirectory(target), target.toString());
    assertEquals(network.architecture(), Checkpoint.verify(Checkpoint.readDirectory(target), "t").get("architecture").getAsString());
    float[] noise = Noise.gaussian(3, 3 * network.sampleSize());
    OdeSampler sampler = new OdeSampler(2, 2.5, 2.0);
    assertArrayEquals(sampler.sample(network, p, noise, PROMPTS), sampler.sample(network, loaded, noise, PROMPTS));
  }

  @Test
  void longPromptsAreCutAndUnknownCharactersShareOneSymbol() {
    assertEquals(CharTextEncoder.VOCABULARY - 1, CharTextEncoder.symbol('\u00e9'));
    assertEquals(2, CharTextEncoder.symbol(' '));
    ParameterSet p = trainedLooking(7);
    String long1 = "x".repeat(CharTextEncoder.MAX_CHARS) + " tail one";
    String long2 = "x".repeat(CharTextEncoder.MAX_CHARS) + " another tail";
    int d = network.sampleSize();
    float[] one = Noise.gaussian(2, d);
    float[] x = new float[2 * d];
    System.arraycopy(one, 0, x, 0, d);
    System.arraycopy(one, 0, x, d, d);
    float[] v = velocity(network, p, x, 0.4f, List.of(long1, long2));
    assertArrayEquals(java.util.Arrays.copyOfRange(v, 0, d), java.util.Arrays.copyOfRange(v, d, 2 * d), 1e-6f);
  }
}
