package ram.runners.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.RunConfig;
import ram.model.Checkpoint;
import ram.model.LoraNetwork;
import ram.model.ParameterSet;
import ram.model.ParameterTraffic.Kind;
import ram.model.UNetVelocityNetwork;

/**
 * {@code bench update}'s accounting of a real epoch of a small U-Net (DirectRunner, one gradient
 * shard, G 2, K 1, no warm-up epoch), fully and by LoRA, against the sizes the encodings must have, computed here
 * from the parameters' names and shapes: a step writes its shard's gradient, the sum and the new
 * state, and reads the state it starts from twice (gradient and update) and the gradient twice
 * (sum and update); each step's one pass uploads theta, the reference and the lagged policy.
 * Slow (about 45 s, most of it the first pipeline of the JVM); the upload counts alone are
 * {@code ParameterTrafficTest}'s, which is fast.
 */
@Tag("slow")
class UpdateBenchTest {

  static final Path HOME = Path.of("..").toAbsolutePath().normalize();
  static final String ARCHITECTURE = UNetVelocityNetwork.SMALL.architecture();

  @TempDir Path tmp;

  /** The bytes of {@link ParameterSet#toBytes} for {@code layout}: magic and count, then per tensor its UTF name, rank, dims and floats. */
  static long encodedBytes(ParameterSet layout) {
    long bytes = 4 + 4;
    for (String name : layout.names()) {
      int[] shape = layout.shape(name);
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      bytes += 2 + name.getBytes(StandardCharsets.UTF_8).length + 4 + 4L * shape.length + 4 * n;
    }
    return bytes;
  }

  /** A training state: epoch and optimizer step, then theta, EMA and two moments, each with its length. */
  static long stateBytes(ParameterSet layout) {
    return 4 + 8 + 4 * (4 + encodedBytes(layout));
  }

  RunConfig config(Path base, boolean lora) {
    Map<String, String> overrides = new LinkedHashMap<>(Map.of("model", ARCHITECTURE, "base_checkpoint", base.toString(), "runner",
        "direct", "images_per_prompt", "2", "renoisings", "1", "gradient_shards", "1", "rewards", "compressibility=1", "device", "cpu"));
    if (lora) {
      overrides.putAll(Map.of("finetune", "lora", "lora_rank", "2", "lora_alpha", "4"));
    }
    return RunConfig.load(HOME.resolve("configs/geneval.yaml"), overrides);
  }

  @Test
  void aStepMovesItsStateAndGradientsAndLoraOnlyItsAdapters() {
    ParameterSet theta = new UNetVelocityNetwork(UNetVelocityNetwork.SMALL).initialize(1);
    Path base = tmp.resolve("base");
    Checkpoint.writeDirectory(base, Checkpoint.encodeBase(theta, ARCHITECTURE, Map.of("made_by", "UpdateBenchTest")));
    ParameterSet adapters = new LoraNetwork(new UNetVelocityNetwork(UNetVelocityNetwork.SMALL), theta, new LoraNetwork.Config(2, 4,
        LoraNetwork.Config.allLinear(2, 4).targets())).initialize(0);

    UpdateBench.Measurement full = UpdateBench.measure(config(base, false), tmp.resolve("full"), HOME, false);
    UpdateBench.Measurement lora = UpdateBench.measure(config(base, true), tmp.resolve("lora"), HOME, false);

    for (Object[] c : new Object[][] {{full, theta}, {lora, adapters}}) {
      UpdateBench.Measurement m = (UpdateBench.Measurement) c[0];
      ParameterSet trained = (ParameterSet) c[1];
      long state = stateBytes(trained);
      long gradient = encodedBytes(trained);
      assertEquals(trained.size(), m.trainedParameters(), m.variant());
      assertEquals(state, m.stateFileBytes(), m.variant() + ": the state file");
      assertEquals(gradient, m.gradientFileBytes(), m.variant() + ": the gradient file");
      assertEquals(state + 2 * gradient, m.stepWrittenBytes(), m.variant() + ": written per step: the shard's gradient, the sum, the state");
      assertEquals(2 * state + 2 * gradient, m.stepReadBytes(), m.variant() + ": read per step: the state twice, the gradient twice");
      assertTrue(m.epochWrittenBytes() > 2 * 4 * 4 * trained.size(), m.variant() + ": the start state and the checkpoint");
      assertEquals(3, m.calls(Kind.UPLOAD), m.variant() + ": one pass a step, three parameter sets");
      assertEquals(3 * 4 * trained.size(), m.bytes(Kind.UPLOAD), m.variant());
      assertEquals(4 * trained.size(), m.bytes(Kind.DOWNLOAD), m.variant() + ": one gradient read back a step");
      assertTrue(m.stepSeconds() > 0 && m.stepSeconds() < 60, m.variant() + ": " + m.stepSeconds());
    }
    assertEquals(0, full.bytes(Kind.FROZEN_UPLOAD));
    assertEquals(3 * 4 * theta.size(), lora.bytes(Kind.FROZEN_UPLOAD), "LoRA copies its frozen base in at each forward pass");
    assertTrue(lora.stepWrittenBytes() * 10 < full.stepWrittenBytes(), "LoRA's step writes far fewer bytes: " + adapters.size()
        + " of " + theta.size() + " parameters");
  }
}
