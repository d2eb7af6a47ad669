package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.RunConfig;
import ram.model.AdamW;
import ram.model.Checkpoint;
import ram.model.FlowMatchingPretrainer;
import ram.model.Networks;
import ram.model.Noise;
import ram.model.Optimizer;
import ram.model.ParameterSet;
import ram.model.ToyRingData;
import ram.model.VelocityNetwork;
import ram.runners.pretrain.Pretrain;

/**
 * {@code ram pretrain toy2d} through the one pretraining loop: the shipped config's settings are
 * the tutorial's plain loop (constant Adam rate, the last step's weights), and a pretraining
 * resumed from {@code pretrain_dir} with more steps equals an uninterrupted one bit for bit.
 */
class ToyPretrainingTest {

  private static final Path HOME = RunConfigTest.HOME;

  private static RunConfig toy(Path base, int steps, String... more) {
    Map<String, String> overrides = new HashMap<>(Map.of("base_checkpoint", base.toString(), "pretrain_steps", String.valueOf(steps),
        "pretrain_batch_size", "32"));
    for (int i = 0; i < more.length; i += 2) {
      overrides.put(more[i], more[i + 1]);
    }
    return RunConfig.load(HOME.resolve("configs/toy2d.yaml"), overrides);
  }

  private static ParameterSet pretrain(RunConfig config, ByteArrayOutputStream log) {
    Path base = Pretrain.run(config, HOME, new PrintStream(log));
    return Checkpoint.decodeTheta(Checkpoint.readDirectory(base), base.toString());
  }

  @Test
  void theToyConfigPretrainsWithAConstantRateAndShipsTheLastWeights(@TempDir Path tmp) {
    ParameterSet base = pretrain(toy(tmp.resolve("base"), 20), new ByteArrayOutputStream());

    VelocityNetwork network = Networks.create("toy-mlp-2d-128x3");
    FlowMatchingPretrainer trainer = new FlowMatchingPretrainer(network, 32, 0);
    ParameterSet theta = network.initialize(0);
    Optimizer.State adam = Optimizer.State.zerosLike(theta);
    for (int step = 1; step <= 20; step++) {
      adam = trainer.step(theta, adam, new ToyRingData(), Noise.seed(0, step), AdamW.of(1.0e-3, 0)).state();
    }
    assertEquals(theta, base, "the toy base is plain Adam at pretrain_learning_rate, its last step's weights");
  }

  @Test
  void aPretrainingResumedWithMoreStepsEqualsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
    String[] resumable = {"pretrain_checkpoint_every", "2", "pretrain_ema_decay", "0.9"};
    ParameterSet straight = pretrain(toy(tmp.resolve("straight/base"), 9, with(resumable, "pretrain_dir", tmp.resolve("straight/state"))),
        new ByteArrayOutputStream());
    ParameterSet inMemory = pretrain(toy(tmp.resolve("memory/base"), 9, resumable), new ByteArrayOutputStream());
    assertEquals(straight, inMemory, "a pretrain_dir changes nothing but resumability");

    String[] resumed = with(resumable, "pretrain_dir", tmp.resolve("resumed/state"));
    ParameterSet first = pretrain(toy(tmp.resolve("resumed/base"), 5, resumed), new ByteArrayOutputStream());
    assertNotEquals(straight, first);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    ParameterSet second = pretrain(toy(tmp.resolve("resumed/base"), 9, resumed), log);
    assertTrue(log.toString().contains("resuming " + tmp.resolve("resumed/state") + " after step 5"), log.toString());
    assertEquals(straight, second, "resumed after step 5 of 9 (checkpoints every 2 steps and at the end)");
    String manifest = Files.readString(tmp.resolve("resumed/base").resolve(Checkpoint.MANIFEST));
    assertTrue(manifest.contains("\"steps\": 9") && manifest.contains("\"resumed_after\": 5"), manifest);
  }

  private static String[] with(String[] pairs, String key, Path value) {
    String[] out = java.util.Arrays.copyOf(pairs, pairs.length + 2);
    out[pairs.length] = key;
    out[pairs.length + 1] = value.toString();
    return out;
  }
}
