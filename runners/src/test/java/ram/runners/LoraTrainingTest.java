package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.RunConfig;
import ram.model.Checkpoint;
import ram.model.LoraNetwork;
import ram.model.Noise;
import ram.model.OdeSampler;
import ram.model.ParameterSet;
import ram.model.UNetVelocityNetwork;
import ram.rewards.geneval.PairOutcome;
import ram.runners.report.EvaluationResults;
import ram.runners.train.ImageModels;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;
import ram.runners.train.TrainDriver;
import ram.schemas.Sample;
import ram.transforms.SampleEndpoints;
import ram.transforms.Tensors;

/**
 * LoRA fine-tuning ({@code finetune: lora}) through the real epoch pipeline on a small U-Net base
 * (DirectRunner, P 2 x G 2, 2 Euler steps, K 1, the compressibility reward): checkpoints hold only
 * the adapters and say so; the first epoch samples exactly what the base samples (the adapters
 * start at B = 0); a resumed run ends bit for bit where a straight one does; evaluate and sample
 * load the adapters over the base; bad LoRA keys are refused by name.
 */
class LoraTrainingTest {

  static final String ARCHITECTURE = UNetVelocityNetwork.SMALL.architecture();
  static final List<String> STATE_FILES = List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params");
  @TempDir static Path tmp;
  static Path base;
  static Path lora;
  static Path resumed;

  static String[] train(Path out, int epochs, String... extra) {
    List<String> args = new ArrayList<>(List.of("train", "geneval", "--output_dir", out.toString(), "--runner", "direct",
        "--model", ARCHITECTURE, "--base_checkpoint", base.toString(), "--epochs", Integer.toString(epochs),
        "--prompts_per_epoch", "2", "--images_per_prompt", "2", "--sample_steps", "2", "--renoisings", "1", "--eval_samples", "0",
        "--learning_rate", "1e-2", "--rewards", "compressibility=1", "--device", "cpu"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  static String[] trainLora(Path out, int epochs, String... extra) {
    List<String> args = new ArrayList<>(List.of(train(out, epochs, "--finetune", "lora", "--lora_rank", "2", "--lora_alpha", "4")));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /** A small U-Net base whose every weight is non-zero (a fresh one outputs zero, and its inner layers get no gradient). */
  static Path writeBase(Path dir) {
    ParameterSet theta = new UNetVelocityNetwork(UNetVelocityNetwork.SMALL).initialize(1);
    for (String name : theta.names()) {
      float[] v = theta.get(name);
      float[] noise = Noise.gaussian(name.hashCode(), v.length);
      for (int i = 0; i < v.length; i++) {
        v[i] += 0.05f * noise[i];
      }
    }
    Checkpoint.writeDirectory(dir, Checkpoint.encodeBase(theta, ARCHITECTURE, Map.of("made_by", "LoraTrainingTest")));
    return dir;
  }

  @BeforeAll
  static void runs() {
    base = writeBase(tmp.resolve("base"));
    lora = tmp.resolve("lora");
    resumed = tmp.resolve("resumed");
    StorePipelinesTest.ok(trainLora(lora, 2));
    StorePipelinesTest.ok(trainLora(resumed, 1));
    StorePipelinesTest.ok(trainLora(resumed, 2));
  }

  static Map<String, byte[]> checkpoint(Path run, int epoch) {
    return Checkpoint.readDirectory(run.resolve(String.format("epochs/%06d/checkpoint", epoch)));
  }

  @Test
  void checkpointsHoldOnlyTheAdaptersAndTheManifestSaysSo() {
    Map<String, byte[]> files = checkpoint(lora, 2);
    for (String file : STATE_FILES) {
      ParameterSet p = ParameterSet.fromBytes(files.get(file));
      assertEquals(2 * 7, p.names().size(), file + ": A and B of the 7 projections of the one DiT block: " + p.names());
      assertTrue(p.names().stream().allMatch(n -> n.matches("lora\\.block0\\.[a-z.0-9]+\\.[AB]")), file + ": " + p.names());
    }
    assertTrue(files.get("theta.params").length * 10 < Checkpoint.readDirectory(base).get("theta.params").length, "adapters are small");
    JsonObject manifest = Checkpoint.verify(files, "lora");
    assertEquals("lora", manifest.get("finetune").getAsString());
    assertTrue(manifest.get("architecture").getAsString().startsWith(ARCHITECTURE + "+lora-r2-a4.0-"), manifest.toString());
    JsonObject settings = manifest.getAsJsonObject("lora");
    assertEquals(2, settings.get("rank").getAsInt());
    assertEquals(base.toString(), settings.get("base_checkpoint").getAsString());
    assertEquals(Checkpoint.verify(Checkpoint.readDirectory(base), "base").getAsJsonObject("sha256").get("theta.params").getAsString(),
        settings.get("base_sha256").getAsString());
    ParameterSet theta = ParameterSet.fromBytes(files.get("theta.params"));
    assertTrue(theta.names().stream().filter(n -> n.endsWith(".B")).anyMatch(n -> theta.get(n)[0] != 0), "the update moved B");
    List<RunMetrics.Row> rows = new RunMetrics(new RunDirectory(lora)).rows(2);
    assertTrue(Double.isFinite(RunMetrics.epochValue(rows, 2, "loss")), "loss of epoch 2");
    assertTrue(Double.isFinite(RunMetrics.epochValue(rows, 2, "reward_mean")), "reward of epoch 2");
  }

  /**
   * Epoch 1 samples with the initial adapters exactly what the base network samples from the same
   * noise and batches (one batch per prompt, as {@link ram.transforms.SampleEndpoints} draws them,
   * with the EMA at its start), i.e. what full fine-tuning's epoch 1 samples.
   */
  @Test
  void theFirstEpochSamplesExactlyWhatTheBaseSamples() {
    Map<String, Sample> samples = EvaluationResults.read(lora.resolve("epochs/000001/samples"));
    assertEquals(4, samples.size());
    ImageModels.Loaded baseModel = ImageModels.load(base);
    OdeSampler sampler = new OdeSampler(2, 3.0, 2.0);
    int dim = baseModel.network().sampleSize();
    for (int slot = 0; slot < 2; slot++) {
      float[] noise = new float[2 * dim];
      for (int g = 0; g < 2; g++) {
        System.arraycopy(Noise.gaussian(SampleEndpoints.noiseSeed(42, 1, slot, g), dim), 0, noise, g * dim, dim);
      }
      Sample first = samples.get(SampleEndpoints.sampleId(1, slot, 0));
      assertEquals(OdeSampler.Method.EULER.recordName(), first.getSampler().getName().toString());
      assertEquals(3.0, first.getSampler().getCfgScale());
      float[] expected = sampler.sample(baseModel.network(), baseModel.theta(), noise, List.of(first.getPrompt().toString(),
          first.getPrompt().toString()));
      for (int g = 0; g < 2; g++) {
        assertArrayEquals(Arrays.copyOfRange(expected, g * dim, (g + 1) * dim),
            Tensors.values(samples.get(SampleEndpoints.sampleId(1, slot, g)).getEndpoint()), "slot " + slot + " g " + g);
      }
    }
  }

  @Test
  void aResumedRunEndsBitForBitWhereAStraightOneDoes() {
    for (String file : STATE_FILES) {
      assertArrayEquals(checkpoint(lora, 1).get(file), checkpoint(resumed, 1).get(file), file);
      assertArrayEquals(checkpoint(lora, 2).get(file), checkpoint(resumed, 2).get(file), file);
    }
    StorePipelinesTest.Result changed = StorePipelinesTest.ram(trainLora(resumed, 3, "--lora_rank", "3"));
    assertEquals(2, changed.code(), changed.err());
    assertTrue(changed.err().contains("[lora_rank]"), changed.err());
  }

  /** A proxy reward's run can watch the task's own score: eval_rewards is what its checks score. */
  @Test
  void theRunsChecksScoreItsEvalRewards() throws Exception {
    Path run = tmp.resolve("eval-rewards");
    String[] args = train(run, 1, "--eval_rewards", "compressibility,geneval", "--eval_steps", "2");
    args[Arrays.asList(args).indexOf("--eval_samples") + 1] = "2";
    StorePipelinesTest.ok(args);
    String metrics = Files.readString(run.resolve("metrics.jsonl"));
    for (String key : List.of("eval_compressibility_mean", "eval_geneval_mean")) {
      assertEquals(2, metrics.split("\"" + key + "\"", -1).length - 1, key + " before and after the epoch: " + metrics);
    }
    StorePipelinesTest.Result eval = StorePipelinesTest.ok("evaluate", "--checkpoint", run.resolve("latest").toString(),
        "--eval_samples", "2", "--eval_steps", "2", "--runner", "direct", "--out", tmp.resolve("eval-rewards-eval").toString());
    assertTrue(eval.out().contains("RESULT geneval_mean="), eval.out());
    assertTrue(eval.out().contains("RESULT geneval_compressibility_mean="), eval.out());
  }

  @Test
  void evaluateAndSampleLoadTheAdaptersOverTheBase() throws Exception {
    StorePipelinesTest.Result eval = StorePipelinesTest.ok("evaluate", "--checkpoint", lora.resolve("latest").toString(),
        "--eval_samples", "4", "--eval_steps", "2", "--rewards", "geneval,compressibility", "--runner", "direct",
        "--out", tmp.resolve("eval").toString());
    assertTrue(eval.out().contains("RESULT geneval_drift_from_base="), eval.out());
    // test.jsonl's second prompt asks for a star and a cross: its 2 images are sorted by what they show
    assertTrue(eval.out().contains("RESULT geneval_pair_samples=2.0"), eval.out());
    double shares = 0;
    for (PairOutcome o : PairOutcome.values()) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("RESULT geneval_pair_" + o.word() + "=([0-9.]+)").matcher(eval.out());
      assertTrue(m.find(), o + ": " + eval.out());
      shares += Double.parseDouble(m.group(1));
    }
    assertEquals(1.0, shares, 1e-3);
    assertTrue(eval.out().contains(ARCHITECTURE + "+lora-r2"), eval.out());
    StorePipelinesTest.Result otherRank = StorePipelinesTest.ram("evaluate", "--checkpoint", lora.resolve("latest").toString(),
        "--lora_rank", "3", "--eval_samples", "2", "--runner", "direct", "--out", tmp.resolve("eval-r3").toString());
    assertEquals(2, otherRank.code(), otherRank.err());
    assertTrue(otherRank.err().contains("a checkpoint of " + ARCHITECTURE + "+lora-r2")
        && otherRank.err().contains("this run fine-tunes " + ARCHITECTURE + "+lora-r3"), otherRank.err());
    assertTrue(!Files.exists(tmp.resolve("eval-r3")), "nothing written");
    StorePipelinesTest.Result otherBase = StorePipelinesTest.ram("evaluate", "--checkpoint", lora.resolve("latest").toString(),
        "--base_checkpoint", RunConfigTest.HOME.resolve("models/base").toString(), "--eval_samples", "2", "--runner", "direct",
        "--out", tmp.resolve("eval-other-base").toString());
    assertEquals(2, otherBase.code(), otherBase.err());
    assertTrue(otherBase.err().contains("models/base: not parameters of " + ARCHITECTURE), otherBase.err());
    assertTrue(!Files.exists(tmp.resolve("eval-other-base")), "nothing written");
    Path png = tmp.resolve("sample.png");
    StorePipelinesTest.ok("sample", "--checkpoint", lora.resolve("epochs/000002/checkpoint").toString(), "--prompt", "a red circle",
        "--n", "2", "--steps", "2", "--out", png.toString());
    assertTrue(Files.size(png) > 0);
  }

  /** The LoRA keys documented as comments in the image configs, uncommented, are the built-in defaults. */
  @Test
  void theImageConfigsDocumentTheDefaults() throws Exception {
    for (String name : List.of("geneval", "ocr", "compressibility", "geneval_grpo", "ocr_grpo")) {
      StringBuilder uncommented = new StringBuilder();
      for (String line : Files.readAllLines(RunConfigTest.HOME.resolve("configs/" + name + ".yaml"))) {
        uncommented.append(line.matches("# (finetune|lora_[a-z]+): .*") ? line.substring(2) : line).append('\n');
      }
      Path file = tmp.resolve(name + ".yaml");
      Files.writeString(file, uncommented.toString().replace("finetune: full", "finetune: lora"));
      RunConfig config = RunConfig.load(file, Map.of());
      assertEquals(new LoraNetwork.Config(8, 16, List.of(LoraNetwork.Config.DIT_BLOCKS)), TrainDriver.lora(config), name);
      Files.writeString(file, config.toYaml());
      assertEquals(config.resolvedValues(), RunConfig.readResolved(file, name).resolvedValues(), name + ": the resolved config round-trips");
    }
    RunConfig two = RunConfig.load(tmp.resolve("geneval.yaml"), Map.of("lora_targets", "[block0\\.attn\\.qkv, block1\\..*]"));
    assertEquals(List.of("block0\\.attn\\.qkv", "block1\\..*"), two.finetune().targets());
  }

  static void refused(String named, String[] args) {
    StorePipelinesTest.Result r = StorePipelinesTest.ram(args);
    assertEquals(2, r.code(), named + ": " + r.err() + r.out());
    assertTrue(r.err().contains(named), named + ": " + r.err());
  }

  @Test
  void badLoraKeysAreRefusedByName() {
    Path bad = tmp.resolve("bad");
    refused("--finetune: expected one of [full, lora]", train(bad, 1, "--finetune", "foo"));
    refused("--lora_rank: expected a positive integer", trainLora(bad, 1, "--lora_rank", "0"));
    refused("--lora_alpha", trainLora(bad, 1, "--lora_alpha", "-1"));
    refused("lora_targets: LoRA targets [no\\.such\\.layer] match no 2-D weight", trainLora(bad, 1, "--lora_targets", "no\\.such\\.layer"));
    refused("--lora_targets: 'block(' is not a regular expression", trainLora(bad, 1, "--lora_targets", "block("));
    refused("lora_rank is set, but finetune is full", train(bad, 1, "--lora_rank", "4"));
    assertTrue(!Files.exists(bad), "nothing written");
  }
}
