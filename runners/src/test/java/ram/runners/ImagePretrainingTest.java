package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.ConfigException;
import ram.config.RunConfig;
import ram.model.CharTextEncoder;
import ram.model.Checkpoint;
import ram.model.DitVelocityNetwork;
import ram.model.ParameterSet;
import ram.model.TrainingData;
import ram.model.UNetVelocityNetwork;
import ram.runners.pretrain.LearningRateSchedule;
import ram.runners.pretrain.Pretrain;
import ram.runners.pretrain.WorldMixtureData;
import ram.runners.report.ImageGrid;

/**
 * The image pretraining: world mixture data, learning-rate schedule, resume, base checkpoint, PNG
 * grid, and the steps of the base's pretraining chain (a word-bag DiT grown with word identities,
 * a U-Net seeded with a DiT's text pathway), each a few steps of the chain's own architectures.
 */
class ImagePretrainingTest {

  private static final Path HOME = RunConfigTest.HOME;
  /** The chain's first architecture: the DiT with word bags. */
  private static final String DIT = DitVelocityNetwork.BASE_WORD_BAGS.architecture();

  @Test
  void mixtureDataIsDeterministicAndHoldsBothWorlds() {
    WorldMixtureData data = WorldMixtureData.load(HOME, 0.5, WorldMixtureData.Words.TRAIN);
    TrainingData.Batch a = data.draw(5, 16);
    TrainingData.Batch b = data.draw(5, 16);
    assertArrayEquals(a.samples(), b.samples());
    assertEquals(a.prompts(), b.prompts());
    assertEquals(16 * 3 * 32 * 32, a.samples().length);
    assertTrue(a.prompts().stream().anyMatch(p -> p.contains("\"")));
    assertTrue(a.prompts().stream().anyMatch(p -> !p.contains("\"")));
  }

  @Test
  void freshWordsAreNewWordsAndNeverHeldOutOnes() {
    WorldMixtureData data = WorldMixtureData.load(HOME, 0.0, WorldMixtureData.Words.FRESH);
    java.util.Set<String> train = WorldMixtureData.readTexts(HOME.resolve("prompts/ocr/train.jsonl")).stream()
        .map(ram.rewards.ocr.OcrPrompt::text).collect(java.util.stream.Collectors.toSet());
    java.util.Set<String> test = WorldMixtureData.readTexts(HOME.resolve("prompts/ocr/test.jsonl")).stream()
        .map(ram.rewards.ocr.OcrPrompt::text).collect(java.util.stream.Collectors.toSet());
    java.util.List<String> words = new java.util.ArrayList<>();
    for (long seed = 0; seed < 40; seed++) {
      for (String prompt : data.draw(seed, 50).prompts()) {
        words.add(prompt.substring(prompt.indexOf('"') + 1, prompt.lastIndexOf('"')));
      }
    }
    assertEquals(2000, words.size());
    assertTrue(words.stream().noneMatch(test::contains), "a held-out word was drawn");
    // a quarter of the 2-letter words (200 of 576) are training words, hardly any longer one is
    long unseen = words.stream().filter(w -> !train.contains(w)).count();
    assertTrue(unseen > 1700, "fresh words should mostly be new words: " + unseen + " of 2000");
    assertTrue(new java.util.HashSet<>(words).size() > 1700, "fresh words repeat too often");
    assertEquals(data.draw(7, 8).prompts(), data.draw(7, 8).prompts());
  }

  @Test
  void learningRateWarmsUpThenDecaysToATenthOrHolds() {
    assertEquals(0.5, LearningRateSchedule.COSINE.at(1.0, 10, 100, 5), 1e-12);
    assertEquals(1.0, LearningRateSchedule.COSINE.at(1.0, 10, 100, 10), 1e-12);
    assertEquals(0.55, LearningRateSchedule.COSINE.at(1.0, 10, 100, 55), 1e-12);
    assertEquals(0.1, LearningRateSchedule.COSINE.at(1.0, 10, 100, 100), 1e-12);
    assertEquals(0.5, LearningRateSchedule.CONSTANT.at(1.0, 10, 100, 5), 1e-12);
    assertEquals(1.0, LearningRateSchedule.CONSTANT.at(1.0, 10, 100, 100), 0);
    assertEquals(1.0e-3, LearningRateSchedule.CONSTANT.at(1.0e-3, 0, 100, 1), 0);
  }

  private static Path config(Path dir, int steps) throws Exception {
    Path file = dir.resolve("tiny.yaml");
    Files.writeString(file, String.join("\n", "task: mixture", "model: " + DIT,
        "base_checkpoint: " + dir.resolve("base"), "pretrain_steps: " + steps, "pretrain_batch_size: 4",
        "pretrain_learning_rate: 1.0e-3", "pretrain_warmup_steps: 2", "pretrain_weight_decay: 0.0",
        "pretrain_prompt_dropout: 0.1", "pretrain_ema_decay: 0.99", "pretrain_shapes_share: 0.5", "pretrain_seed: 3",
        "pretrain_checkpoint_every: 2", "pretrain_dir: " + dir.resolve("state"), ""));
    return file;
  }

  private static ParameterSet pretrain(Path dir, int steps) throws Exception {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
    Path base = Pretrain.run(RunConfig.load(config(dir, steps), Map.of()), HOME, quiet);
    return Checkpoint.decodeTheta(Checkpoint.readDirectory(base), base.toString());
  }

  @Test
  void resumedPretrainingEqualsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
    Path straight = Files.createDirectories(tmp.resolve("straight"));
    Path resumed = Files.createDirectories(tmp.resolve("resumed"));
    ParameterSet expected = pretrain(straight, 4);
    pretrain(resumed, 2);
    assertEquals(expected, pretrain(resumed, 4));
    String manifest = Files.readString(resumed.resolve("base").resolve(Checkpoint.MANIFEST));
    assertTrue(manifest.contains("\"steps\": 4"), manifest);
    Files.writeString(config(resumed, 4), Files.readString(config(resumed, 4)).replace("pretrain_seed: 3", "pretrain_seed: 4"));
    assertThrows(ConfigException.class, () -> Pretrain.run(RunConfig.load(resumed.resolve("tiny.yaml"), Map.of()), HOME,
        new PrintStream(new ByteArrayOutputStream())));
  }

  /** Two steps of {@code model} from {@code init}'s weights at a negligible learning rate; returns the base checkpoint. */
  private static Path continueFrom(Path dir, Path init, String model, PrintStream log, String... lines) throws Exception {
    Path file = config(Files.createDirectories(dir), 2);
    Files.writeString(file, Files.readString(file).replace("pretrain_learning_rate: 1.0e-3", "pretrain_learning_rate: 1.0e-12")
        .replace("model: " + DIT, "model: " + model) + "pretrain_init: " + init + "\n" + String.join("\n", lines) + "\n");
    return Pretrain.run(RunConfig.load(file, Map.of()), HOME, log);
  }

  @Test
  void continuedPretrainingStartsFromItsInitAndRecordsItsProvenance(@TempDir Path tmp) throws Exception {
    Path first = Files.createDirectories(tmp.resolve("first"));
    pretrain(first, 2);
    Path base = continueFrom(tmp.resolve("second"), first.resolve("base"), DIT,
        new PrintStream(new ByteArrayOutputStream()));
    ParameterSet init = Checkpoint.decodeTheta(Checkpoint.readDirectory(first.resolve("base")), "first");
    ParameterSet continued = Checkpoint.decodeTheta(Checkpoint.readDirectory(base), "second");
    double largest = 0;
    for (String name : init.names()) {
      float[] a = init.get(name);
      float[] b = continued.get(name);
      for (int i = 0; i < a.length; i++) {
        largest = Math.max(largest, Math.abs(a[i] - b[i]));
      }
    }
    assertTrue(largest < 1e-6, "at a negligible learning rate the EMA stays at the init's weights: " + largest);
    String manifest = Files.readString(base.resolve(Checkpoint.MANIFEST));
    assertTrue(manifest.contains("\"init\"") && manifest.contains("\"seed\": 3"), manifest);

    ConfigException e = assertThrows(ConfigException.class, () -> continueFrom(tmp.resolve("wrong"), first.resolve("base"),
        UNetVelocityNetwork.BASE.architecture(), new PrintStream(new ByteArrayOutputStream())));
    assertTrue(e.getMessage().contains("pretrain_init") && e.getMessage().contains(DIT), e.getMessage());
  }

  @Test
  void aUNetTakesOnlyTheTextPathwayOfADit(@TempDir Path tmp) throws Exception {
    Path first = Files.createDirectories(tmp.resolve("first"));
    pretrain(first, 2);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path base = continueFrom(tmp.resolve("unet"), first.resolve("base"), UNetVelocityNetwork.BASE.architecture(), new PrintStream(log),
        "pretrain_init_only: text., time., prompt_pool.");
    assertTrue(log.toString().contains("taking the [text., time., prompt_pool.] parameters"), log.toString());
    ParameterSet dit = Checkpoint.decodeTheta(Checkpoint.readDirectory(first.resolve("base")), "first");
    ParameterSet unet = Checkpoint.decodeTheta(Checkpoint.readDirectory(base), "unet");
    int taken = 0;
    for (String name : dit.names()) {
      if (name.startsWith("text.") || name.startsWith("time.") || name.startsWith("prompt_pool.")) {
        assertArrayEquals(dit.get(name), unet.get(name), 1e-6f, name);
        taken++;
      }
    }
    assertTrue(taken > 10 && unet.names().contains("mid.conv1.weight"), "the text pathway taken: " + taken);
    for (float w : unet.get("out.weight")) {
      assertEquals(0f, w, 1e-6f, "the U-Net's output convolution starts at zero");
    }
    ConfigException none = assertThrows(ConfigException.class, () -> continueFrom(tmp.resolve("none"), first.resolve("base"),
        UNetVelocityNetwork.BASE.architecture(), new PrintStream(new ByteArrayOutputStream()), "pretrain_init_only: nothing."));
    assertTrue(none.getMessage().contains("pretrain_init_only") && none.getMessage().contains("nothing."), none.getMessage());
  }

  @Test
  void aWordBagModelGrowsWordIdentitiesThatStartAtZero(@TempDir Path tmp) throws Exception {
    Path first = Files.createDirectories(tmp.resolve("first"));
    pretrain(first, 2);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path base = continueFrom(tmp.resolve("grown"), first.resolve("base"), DitVelocityNetwork.BASE.architecture(), new PrintStream(log));
    assertTrue(log.toString().contains("new parameters start at their initialization, with no effect: [text.word_id]"), log.toString());
    ParameterSet init = Checkpoint.decodeTheta(Checkpoint.readDirectory(first.resolve("base")), "first");
    ParameterSet continued = Checkpoint.decodeTheta(Checkpoint.readDirectory(base), "grown");
    assertEquals(init.size() + CharTextEncoder.WORD_IDS * DitVelocityNetwork.BASE.width(), continued.size());
    for (String name : continued.names()) {
      float[] b = continued.get(name);
      float[] a = name.equals("text.word_id") ? new float[b.length] : init.get(name);
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-6, name);
      }
    }
  }

  @Test
  void gridScalesPixelsAndKeepsColours() {
    float[] red = new float[3 * 32 * 32];
    java.util.Arrays.fill(red, 0, 32 * 32, 1f);
    java.util.Arrays.fill(red, 32 * 32, 3 * 32 * 32, -1f);
    var image = ImageGrid.grid(java.util.List.of(red, red, red), new int[] {3, 32, 32}, 2, 4);
    assertEquals(2 * (128 + 2) + 2, image.getWidth());
    assertEquals(2 * (128 + 2) + 2, image.getHeight());
    assertEquals(0xFF0000, image.getRGB(10, 10) & 0xFFFFFF);
  }
}
