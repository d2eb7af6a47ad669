package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;


/** The image U-Net: prompt dependence, deterministic sampling, CFG, LoRA, checkpoints, a DiT's text pathway. */
class UNetVelocityNetworkTest {

  private static final List<String> PROMPTS = List.of("a photo of a red circle", "", "a sign that reads \"CAT\"");
  private final UNetVelocityNetwork network = new UNetVelocityNetwork(UNetVelocityNetwork.SMALL);

  private static float[] velocity(VelocityNetwork net, ParameterSet p, float[] x, float time, List<String> prompts) {
    return DitVelocityNetworkTest.velocity(net, p, x, time, prompts);
  }

  /** Parameters with every zero-initialised layer perturbed, so that every block contributes. */
  private ParameterSet trainedLooking(long seed) {
    return DitVelocityNetworkTest.perturbed(network.initialize(seed), seed,
        name -> name.contains("adaln") || name.contains(".cond.") || name.contains(".conv2.") || name.startsWith("out."));
  }

  @Test
  void baseParameterCountIsWithinBudgetAndFreshOutputIsZero() {
    VelocityNetwork base = Networks.create("unet-32px-c32-d128-t2-wi");
    assertEquals(2_271_715, base.initialize(0).size());
    float[] v = velocity(network, network.initialize(1), Noise.gaussian(1, 3 * network.sampleSize()), 0.4f, PROMPTS);
    for (float f : v) {
      assertEquals(0f, f);
    }
  }

  @Test
  void outputHasTheSampleShapeAndDependsOnThePrompt() {
    ParameterSet p = trainedLooking(1);
    float[] x = Noise.gaussian(7, 3 * network.sampleSize());
    float[] v = velocity(network, p, x, 0.5f, PROMPTS);
    assertEquals(x.length, v.length);
    float[] other = velocity(network, p, x, 0.5f, List.of("a photo of a blue star", "", "a sign that reads \"DOG\""));
    int d = network.sampleSize();
    assertFalse(Arrays.equals(Arrays.copyOfRange(v, 0, d), Arrays.copyOfRange(other, 0, d)));
    assertArrayEquals(Arrays.copyOfRange(v, d, 2 * d), Arrays.copyOfRange(other, d, 2 * d));
  }

  /**
   * The RAM gradient of every layer, below the output convolution too, agrees with central finite
   * differences of the loss along that layer's own gradient. (With libtorch's plain 3-channel
   * output convolution the layers below it got a gradient at cosine 0.45 to the true one: ConvOps.)
   */
  @Test
  void ramGradientAgreesWithFiniteDifferencesInEveryLayer() {
    ParameterSet theta = trainedLooking(5);
    ParameterSet reference = trainedLooking(6);
    int k = 2;
    int n = PROMPTS.size();
    int dim = network.sampleSize();
    float[] times = new float[n * k];
    for (int i = 0; i < times.length; i++) {
      times[i] = 0.2f + 0.6f * i / times.length;
    }
    RamItems items = new RamItems(Noise.gaussian(21, n * dim), PROMPTS, Noise.gaussian(22, n), times, Noise.gaussian(23, n * k * dim), k);
    assertGradientMatchesFiniteDifferences(new RamGradient(network, 1.0), theta, reference, items,
        List.of("enc1.conv1.weight", "mid.conv2.weight", "block0.attn.qkv.weight", "text.embedding", "out.weight"));
  }

  /** Central finite differences of the loss along each named layer's own gradient equal that gradient's norm. */
  private static void assertGradientMatchesFiniteDifferences(RamGradient gradient, ParameterSet theta, ParameterSet reference,
      RamItems items, List<String> names) {
    ParameterSet g = gradient.compute(theta, reference, reference, items).gradientSum();
    double h = 1e-2;
    for (String name : names) {
      float[] direction = g.get(name).clone();
      double norm = 0;
      for (float v : direction) {
        norm += (double) v * v;
      }
      norm = Math.sqrt(norm);
      double[] losses = new double[2];
      for (int side = 0; side < 2; side++) {
        ParameterSet moved = theta.copy();
        float[] values = moved.get(name);
        for (int i = 0; i < values.length; i++) {
          values[i] += (float) ((side == 0 ? h : -h) * direction[i] / norm);
        }
        losses[side] = gradient.compute(moved, reference, reference, items).lossSum();
      }
      double finiteDifference = (losses[0] - losses[1]) / (2 * h);
      assertEquals(norm, finiteDifference, 0.02 * norm, name + ": gradient norm " + norm + ", finite difference along it " + finiteDifference);
    }
  }

  @Test
  void samplingIsDeterministicForASeedAndGuidanceOneIsTheConditionalVelocity() {
    ParameterSet p = trainedLooking(2);
    float[] noise = Noise.gaussian(11, 3 * network.sampleSize());
    OdeSampler sampler = new OdeSampler(3, 3.0, 2.0);
    assertArrayEquals(sampler.sample(network, p, noise, PROMPTS), sampler.sample(network, p, noise, PROMPTS));
    float[] sampled = new OdeSampler(1, 1.0, 1.0).sample(network, p, noise, PROMPTS);
    float[] v = velocity(network, p, noise, 1f, PROMPTS);
    for (int i = 0; i < noise.length; i++) {
      assertEquals(noise[i] - v[i], sampled[i]);
    }
  }

  @Test
  void loraWithZeroBIsExactlyTheBase() {
    ParameterSet base = trainedLooking(4);
    LoraNetwork lora = new LoraNetwork(network, base, LoraNetwork.Config.allLinear(4, 8));
    ParameterSet adapters = lora.initialize(9);
    assertEquals(7 * UNetVelocityNetwork.SMALL.blocks(), lora.targetLayers().size());
    float[] x = Noise.gaussian(8, 3 * network.sampleSize());
    assertArrayEquals(velocity(network, base, x, 0.3f, PROMPTS), velocity(lora, adapters, x, 0.3f, PROMPTS));
  }

  @Test
  void savedAndLoadedCheckpointGivesBitIdenticalOutputs(@TempDir Path dir) {
    ParameterSet p = trainedLooking(6);
    Path target = dir.resolve("base");
    Checkpoint.writeDirectory(target, Checkpoint.encodeBase(p, network.architecture(), Map.of("seed", 6)));
    ParameterSet loaded = Checkpoint.decodeTheta(Checkpoint.readDirectory(target), target.toString());
    float[] noise = Noise.gaussian(3, 3 * network.sampleSize());
    OdeSampler sampler = new OdeSampler(2, 2.5, 2.0);
    assertArrayEquals(sampler.sample(network, p, noise, PROMPTS), sampler.sample(network, loaded, noise, PROMPTS));
  }

  @Test
  void aDitsTextPathwaySeedsTheUNet() {
    ParameterSet dit = new DitVelocityNetwork(DitVelocityNetwork.BASE).initialize(3);
    ParameterSet fresh = new UNetVelocityNetwork(UNetVelocityNetwork.BASE).initialize(4);
    ParameterSet seeded = dit.restrictedTo(List.of("text.", "time.", "prompt_pool.")).grownInto(fresh);
    assertEquals(fresh.names(), seeded.names());
    for (String name : seeded.names()) {
      boolean text = name.startsWith("text.") || name.startsWith("time.") || name.startsWith("prompt_pool.");
      assertArrayEquals(text ? dit.get(name) : fresh.get(name), seeded.get(name), name);
    }
    assertTrue(seeded.names().stream().anyMatch(n -> n.startsWith("text.")));
  }

  @Test
  void letterPlacesAreFractionsOfTheQuotedWordOnlyAtItsLetters() {
    List<String> prompts = List.of("a sign that reads \"KZQ\"", "a red circle");
    double[] places = CharTextEncoder.tokenLetterPlaces(prompts, 30, 6);
    int k = 1 + prompts.get(0).indexOf('K');
    assertEquals(1 / 6.0, places[k], 1e-12);
    assertEquals(3 / 6.0, places[k + 1], 1e-12);
    assertEquals(5 / 6.0, places[k + 2], 1e-12);
    long letters = Arrays.stream(places).filter(v -> !Double.isNaN(v)).count();
    assertEquals(3, letters, "quotes, unquoted words, word tokens and the second prompt have no place");
  }

  @Test
  void grownLetterAttentionChangesNothingUntilTrainedThenReadsTheLetters() {
    UNetVelocityNetwork withLetters = new UNetVelocityNetwork(new UNetVelocityNetwork.Config(32, 8, 64, 1, 2, 1, 64, true));
    assertTrue(withLetters.architecture().endsWith("-wi-la"));
    assertTrue(Networks.names().contains(UNetVelocityNetwork.BASE_LETTERS.architecture()));
    ParameterSet base = trainedLooking(8);
    ParameterSet grown = base.grownInto(withLetters.initialize(9));
    float[] x = Noise.gaussian(12, 3 * network.sampleSize());
    assertArrayEquals(velocity(network, base, x, 0.6f, PROMPTS), velocity(withLetters, grown, x, 0.6f, PROMPTS));
    ParameterSet trained = DitVelocityNetworkTest.perturbed(grown.copy(), 10, name -> name.endsWith("letters.out.weight"));
    List<String> other = List.of(PROMPTS.get(0), PROMPTS.get(1), "a sign that reads \"CTA\"");
    int d = network.sampleSize();
    float[] cat = velocity(withLetters, trained, x, 0.6f, PROMPTS);
    float[] cta = velocity(withLetters, trained, x, 0.6f, other);
    assertArrayEquals(Arrays.copyOfRange(cat, 0, 2 * d), Arrays.copyOfRange(cta, 0, 2 * d));
    assertFalse(Arrays.equals(Arrays.copyOfRange(cat, 2 * d, 3 * d), Arrays.copyOfRange(cta, 2 * d, 3 * d)),
        "the same letters in another order are drawn differently");
  }
}
