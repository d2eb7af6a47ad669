package ram.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ram.model.ParameterTraffic.Count;
import ram.model.ParameterTraffic.Key;
import ram.model.ParameterTraffic.Kind;
import ram.model.torchscript.TorchScriptSpec;
import ram.model.torchscript.TorchScriptVelocityNetwork;

/**
 * What one RAM gradient copies into and out of the engine, counted by {@link ParameterTraffic},
 * against what the parameter counts say it must: each pass of at most {@link Autograd#ROWS_PER_PASS}
 * rows uploads theta, the reference and the lagged policy and reads one gradient back (2 items x 2
 * re-noisings are one pass; x 20, 40 rows, are two). Full fine-tuning moves every weight; LoRA only its adapters (and
 * its frozen base once per forward pass, counted apart); a TorchScript model only the parameters its
 * {@code trainable} expression matches.
 */
class ParameterTrafficTest {

  static final int ITEMS = 2;
  /** theta, reference, lagged policy: one upload each per pass; with LoRA, one frozen base per forward pass. */
  static final int PER_PASS = 3;

  /** The counts of a RAM gradient of {@code network} at three distinct parameter sets, under a stage of its own. */
  static Map<Kind, Count> countGradient(String stage, VelocityNetwork network, ParameterSet theta, List<String> prompts,
      int renoisings) {
    int dim = network.sampleSize();
    float[] times = new float[ITEMS * renoisings];
    for (int i = 0; i < times.length; i++) {
      times[i] = (i + 1f) / (times.length + 1f);
    }
    RamItems items = new RamItems(Noise.gaussian(1, ITEMS * dim), prompts, new float[] {1f, -1f}, times,
        Noise.gaussian(2, ITEMS * renoisings * dim), renoisings);
    ParameterSet reference = theta.copy();
    ParameterSet old = theta.copy();
    old.scaleInPlace(0.5f);
    Map<Key, Count> before = ParameterTraffic.snapshot();
    ParameterTraffic.during(stage, () -> new RamGradient(network, 1.0).compute(theta, reference, old, items));
    Map<Key, Count> after = ParameterTraffic.snapshot();
    Map<Kind, Count> counts = new java.util.EnumMap<>(Kind.class);
    for (Kind kind : Kind.values()) {
      counts.put(kind, ParameterTraffic.between(before, after, stage, kind));
    }
    return counts;
  }

  @Test
  void fullFineTuningUploadsEveryWeightAndLoraOnlyItsAdapters() {
    UNetVelocityNetwork base = new UNetVelocityNetwork(UNetVelocityNetwork.SMALL);
    ParameterSet weights = base.initialize(1);
    long p = weights.size();
    List<String> prompts = List.of("a red circle", "a blue star");
    int passes = 1;
    Map<Kind, Count> full = countGradient("test-full", base, weights, prompts, 2);
    assertEquals(new Count(passes * PER_PASS, passes * PER_PASS * 4 * p), full.get(Kind.UPLOAD));
    assertEquals(new Count(passes, passes * 4 * p), full.get(Kind.DOWNLOAD), "one gradient read back per pass");
    assertEquals(Count.NONE, full.get(Kind.FROZEN_UPLOAD));
    assertEquals(Count.NONE, full.get(Kind.BIND));

    int rank = 4;
    // adapters by hand: r (in + out) for each 2-D weight of a DiT block's projections
    long adapters = 0;
    for (String name : weights.names()) {
      int[] shape = weights.shape(name);
      if (name.endsWith(".weight") && shape.length == 2 && name.substring(0, name.length() - 7).matches(LoraNetwork.Config.DIT_BLOCKS)) {
        adapters += (long) rank * (shape[0] + shape[1]);
      }
    }
    assertTrue(adapters > 0, "the small U-Net has DiT blocks to adapt");
    LoraNetwork lora = new LoraNetwork(base, weights, LoraNetwork.Config.allLinear(rank, 2 * rank));
    Map<Kind, Count> adapted = countGradient("test-lora", lora, lora.initialize(3), prompts, 2);
    assertEquals(new Count(passes * PER_PASS, passes * PER_PASS * 4 * adapters), adapted.get(Kind.UPLOAD));
    assertEquals(new Count(passes, passes * 4 * adapters), adapted.get(Kind.DOWNLOAD));
    assertTrue(adapted.get(Kind.UPLOAD).bytes() * 10 < full.get(Kind.UPLOAD).bytes(),
        "LoRA's trained uploads are far fewer bytes than full fine-tuning's: " + adapters + " of " + p + " parameters");
    // the frozen base is not kept in the engine: each forward pass copies it in again
    assertEquals(new Count(passes * PER_PASS, passes * PER_PASS * 4 * p), adapted.get(Kind.FROZEN_UPLOAD));
  }

  @Test
  void aTorchScriptModelUploadsOnlyItsTrainedParameters() {
    Path image = Path.of("..").toAbsolutePath().normalize().resolve("models/torchscript/image");
    // the fixture's conv_mid (tools/make_torchscript_fixtures.py): a 3 x 3 convolution of 32 to 32 channels, with bias
    long convMid = 32 * 32 * 3 * 3 + 32;
    long module = (4 * 32 * 9 + 32) + (48 * 64 + 64) + convMid + (32 * 4 * 9 + 4); // conv_in, film, conv_mid, conv_out
    TorchScriptVelocityNetwork network = new TorchScriptVelocityNetwork(new TorchScriptSpec(image.resolve("velocity.pt").toString(),
        List.of(4, 8, 8), image.resolve("text_encoder.pt").toString(), 64, null, null, "conv_mid\\..*", null));
    ParameterSet theta = network.initialize(0);
    assertEquals(convMid, theta.size(), "the trained subset");
    int passes = 2; // 40 rows: 32 and 8
    Map<Kind, Count> counts = countGradient("test-torchscript", network, theta, Collections.nCopies(ITEMS, "a red circle"), 20);
    assertEquals(new Count(passes * PER_PASS, passes * PER_PASS * 4 * convMid), counts.get(Kind.UPLOAD));
    assertEquals(new Count(passes * PER_PASS, passes * PER_PASS * 4 * convMid), counts.get(Kind.BIND),
        "each forward pass copies its values into the module's trained parameters, and only those");
    assertEquals(new Count(passes, passes * 4 * convMid), counts.get(Kind.DOWNLOAD));
    assertEquals(Count.NONE, counts.get(Kind.FROZEN_UPLOAD), "the other " + (module - convMid) + " parameters stay in the module");
  }
}
