package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.model.ParameterSet;
import ram.model.SafeTensors;
import ram.runners.report.EvaluationResults;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;
import ram.schemas.Sample;
import ram.transforms.Tensors;

/**
 * A user's own model through every command: the committed TorchScript fixtures
 * (tools/make_torchscript_fixtures.py) train with RAM on the DirectRunner and on embedded Flink,
 * bit for bit alike; the store keeps latents and decoded images; evaluate, sample, rescore and
 * export work on the run; the 2-D ring module, a port of the built-in MLP, samples what the built-in
 * network samples; init_weights replaces a base by name; and each wrong model is refused by name
 * before anything is written.
 */
@Tag("slow")
class TorchScriptModelTest {

  static final Path HOME = RunConfigTest.HOME;
  static final List<String> STATE_FILES = List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params");
  @TempDir static Path tmp;
  static Path direct;
  static Path flink;

  static String[] image(Path out, String runner, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "torchscript_image", "--output_dir", out.toString(), "--runner", runner,
        "--epochs", "2", "--prompts_per_epoch", "4", "--images_per_prompt", "4", "--optimizer_steps_per_epoch", "2",
        "--sample_steps", "4", "--eval_samples", "4", "--eval_steps", "4", "--parallelism", "2"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static String[] ring(Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "toy2d", "--output_dir", out.toString(), "--runner", "direct", "--epochs", "1",
        "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "1", "--eval_samples", "0"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static final String[] RING = {"--model", "torchscript", "--velocity", "models/torchscript/ring.pt", "--sample_shape", "2"};

  static Map<String, byte[]> checkpoint(Path run, int epoch) {
    return Checkpoint.readDirectory(run.resolve(String.format("epochs/%06d/checkpoint", epoch)));
  }

  @BeforeAll
  static void runs() {
    direct = tmp.resolve("direct");
    flink = tmp.resolve("flink");
    StorePipelinesTest.ok(image(direct, "direct"));
    StorePipelinesTest.ok(image(flink, "flink"));
  }

  @Test
  void theImageFixtureTrainsBitForBitAlikeOnTheDirectRunnerAndOnFlink() {
    for (String file : STATE_FILES) {
      assertArrayEquals(checkpoint(direct, 2).get(file), checkpoint(flink, 2).get(file), file);
    }
    ParameterSet before = ParameterSet.fromBytes(checkpoint(direct, 1).get("theta.params"));
    ParameterSet after = ParameterSet.fromBytes(checkpoint(direct, 2).get("theta.params"));
    assertFalse(before.equals(after), "epoch 2 moved the weights");
    JsonObject manifest = Checkpoint.verify(checkpoint(direct, 2), "direct");
    assertTrue(manifest.get("architecture").getAsString().startsWith("torchscript:"), manifest.toString());
    JsonObject entry = manifest.getAsJsonObject("torchscript");
    assertEquals(HOME.resolve("models/torchscript/image/velocity.pt").toString(), entry.get("velocity").getAsString());
    assertEquals("[4,8,8]", entry.get("sample_shape").toString());
    Map<String, Sample> samples = EvaluationResults.read(direct.resolve("epochs/000002/samples"));
    assertEquals(16, samples.size());
    for (Sample s : samples.values()) {
      assertArrayEquals(new int[] {4, 8, 8}, Tensors.shape(s.getEndpoint()), "the latent");
      assertArrayEquals(new int[] {3, 32, 32}, Tensors.shape(s.getImage()), "the decoded image");
    }
  }

  @Test
  void evaluateSampleRescoreAndExportWorkOnTheRun() throws Exception {
    StorePipelinesTest.Result eval = StorePipelinesTest.ok("evaluate", "--checkpoint", direct.resolve("latest").toString(),
        "--eval_samples", "4", "--eval_steps", "4", "--rewards", "compressibility", "--runner", "direct",
        "--out", tmp.resolve("eval").toString());
    assertTrue(eval.out().contains("RESULT geneval_compressibility_mean="), eval.out());
    Path png = tmp.resolve("sample.png");
    StorePipelinesTest.ok("sample", "--checkpoint", direct.resolve("epochs/000002/checkpoint").toString(), "--prompt", "a red circle",
        "--n", "2", "--steps", "4", "--out", png.toString());
    int height = javax.imageio.ImageIO.read(png.toFile()).getHeight();
    assertTrue(height >= 4 * 32 && height < 2 * 4 * 32, "one row of decoded 32 px images drawn at 4x: " + height);
    StorePipelinesTest.Result rescore = StorePipelinesTest.ok("rescore", direct.toString(), "--reward", "geneval", "--runner", "direct");
    assertTrue(rescore.out().contains("RESULT rescore_geneval_scored=32"), rescore.out());
    Path folder = tmp.resolve("export");
    StorePipelinesTest.Result export = StorePipelinesTest.ok("export", direct.toString(), "--to", folder.toString(), "--format",
        "imagefolder", "--runner", "direct");
    assertTrue(export.out().contains("RESULT export_images=32"), export.out());
    assertEquals(32, javax.imageio.ImageIO.read(folder.resolve("images/e000001-p00000-g000.png").toFile()).getWidth());
  }

  /** Flow-GRPO trains a TorchScript model through the same interface: its SDE rollouts and clipped objective move the weights. */
  @Test
  void flowGrpoTrainsTheImageFixtureToo() {
    Path grpo = tmp.resolve("flow-grpo");
    StorePipelinesTest.ok(image(grpo, "direct", "--algorithm", "flow_grpo", "--grpo_trained_steps", "3"));
    ParameterSet start = TorchScriptModelTest.initial();
    ParameterSet after = ParameterSet.fromBytes(checkpoint(grpo, 2).get("theta.params"));
    start.requireSameLayout(after);
    assertFalse(start.equals(after), "two epochs of Flow-GRPO moved the weights");
    assertTrue(after.allFinite());
    double kl = RunMetrics.epochValue(new RunMetrics(new RunDirectory(grpo)).rows(2), 2, "kl");
    assertTrue(Double.isFinite(kl) && kl >= 0, "kl " + kl);
  }

  /** The image fixture's own weights: its trained parameters before any update. */
  static ParameterSet initial() {
    return new ram.model.torchscript.TorchScriptVelocityNetwork(
        ram.config.RunConfig.load(HOME.resolve("configs/torchscript_image.yaml"), Map.of()).model().resolvedAgainst(HOME).torchscript())
        .initialize(0);
  }

  /** The ring module holds the shipped toy base's weights: its first epoch samples and scores as the built-in network's does. */
  @Test
  void theRingModuleTrainsAsTheBuiltInNetworkDoes() {
    Path builtIn = tmp.resolve("ring-built-in");
    Path script = tmp.resolve("ring-torchscript");
    StorePipelinesTest.ok(ring(builtIn));
    StorePipelinesTest.ok(ring(script, RING));
    double a = RunMetrics.epochValue(new RunMetrics(new RunDirectory(builtIn)).rows(1), 1, "reward_mean");
    double b = RunMetrics.epochValue(new RunMetrics(new RunDirectory(script)).rows(1), 1, "reward_mean");
    assertEquals(a, b, 1e-4, "the same samples up to float rounding");
    ParameterSet thetaA = ParameterSet.fromBytes(checkpoint(builtIn, 1).get("theta.params"));
    ParameterSet thetaB = ParameterSet.fromBytes(checkpoint(script, 1).get("theta.params"));
    thetaA.requireSameLayout(thetaB);
    for (String name : thetaA.names()) {
      float[] x = thetaA.get(name);
      float[] y = thetaB.get(name);
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], y[i], 1e-4, name + "[" + i + "] after one step");
      }
    }
  }

  /** Weights exported as safetensors come back in through init_weights, by name, for a built-in network and a TorchScript module. */
  @Test
  void initWeightsReplaceTheBaseByName() {
    Path weights = tmp.resolve("toy2d.safetensors");
    StorePipelinesTest.ok("weights", "export", HOME.resolve("models/toy2d/base").toString(), "--to", weights.toString());
    ParameterSet doubled = SafeTensors.read(weights);
    doubled.scaleInPlace(2f);
    Path twice = tmp.resolve("toy2d-twice.safetensors");
    SafeTensors.write(doubled, twice);
    Path plain = tmp.resolve("init-plain");
    Path same = tmp.resolve("init-same");
    Path other = tmp.resolve("init-other");
    Path scripted = tmp.resolve("init-scripted");
    StorePipelinesTest.ok(ring(plain));
    StorePipelinesTest.ok(ring(same, "--init_weights", weights.toString()));
    StorePipelinesTest.ok(ring(other, "--init_weights", twice.toString()));
    StorePipelinesTest.ok(ring(scripted, concat(RING, "--init_weights", twice.toString())));
    assertArrayEquals(checkpoint(plain, 1).get("theta.params"), checkpoint(same, 1).get("theta.params"), "the base's own values");
    assertFalse(java.util.Arrays.equals(checkpoint(plain, 1).get("theta.params"), checkpoint(other, 1).get("theta.params")));
    ParameterSet builtIn = ParameterSet.fromBytes(checkpoint(other, 1).get("theta.params"));
    ParameterSet script = ParameterSet.fromBytes(checkpoint(scripted, 1).get("theta.params"));
    for (String name : builtIn.names()) {
      for (int i = 0; i < builtIn.get(name).length; i++) {
        assertEquals(builtIn.get(name)[i], script.get(name)[i], 1e-3, "the module took the doubled weights too: " + name);
      }
    }
  }

  static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  static void refused(String expected, String[] args) {
    StorePipelinesTest.Result r = StorePipelinesTest.ram(args);
    assertEquals(2, r.code(), expected + ": " + r.err() + r.out());
    assertTrue(r.err().contains(expected), expected + ": " + r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
  }

  @Test
  void wrongModelsAreRefusedByFileAndMismatchBeforeAnythingIsWritten() throws Exception {
    Path bad = tmp.resolve("bad");
    refused("velocity: no such file: " + HOME.resolve("models/torchscript/none.pt"),
        ring(bad, "--model", "torchscript", "--velocity", "models/torchscript/none.pt", "--sample_shape", "2"));
    refused("trainable: 'lora.*' matches none of the 8 parameters of ", ring(bad, concat(RING, "--trainable", "lora.*")));
    refused("ring.pt: forward(x_t [1, 3], t [1], cond [1, 0]) failed: ",
        ring(bad, "--model", "torchscript", "--velocity", "models/torchscript/ring.pt", "--sample_shape", "3"));
    Path wrong = tmp.resolve("wrong.safetensors");
    SafeTensors.write(new ParameterSet().put("linear0.weight", new int[] {2, 2}, new float[4]), wrong);
    refused(wrong + ": tensor names differ from the model's: missing [", ring(bad, "--init_weights", wrong.toString()));
    refused(wrong + ": tensor names differ from the model's: missing [", ring(bad, concat(RING, "--init_weights", wrong.toString())));
    refused("velocity is set, but model is toy-mlp-2d-128x3", ring(bad, "--velocity", "models/torchscript/ring.pt"));
    refused("text_encoder and prompt_embeddings are both set", image(bad, "direct", "--prompt_embeddings",
        "models/torchscript/image/embeddings.safetensors"));
    assertFalse(Files.exists(bad), "nothing written");
  }

  /** The modules stay loaded in the worker JVM: a further run of the same model, its stages and epochs, loads none again. */
  @Test
  void aLoadedModelStaysInTheJvmAcrossStagesEpochsAndRuns() {
    long loads = ram.model.torchscript.TorchScriptModules.loads();
    StorePipelinesTest.ok(image(tmp.resolve("again"), "direct"));
    assertEquals(loads, ram.model.torchscript.TorchScriptModules.loads(), "modules loaded by the earlier runs of this JVM are reused");
  }

  /** Prompt embeddings precomputed by the user condition the module as its text encoder does. */
  @Test
  void precomputedPromptEmbeddingsConditionAsTheTextEncoderDoes() {
    Path embedded = tmp.resolve("embeddings");
    StorePipelinesTest.ok(image(embedded, "direct", "--epochs", "1", "--text_encoder", "null", "--prompt_embeddings",
        "models/torchscript/image/embeddings.safetensors"));
    float[] a = Tensors.values(EvaluationResults.read(direct.resolve("epochs/000001/samples")).get("e000001-p00000-g000").getEndpoint());
    float[] b = Tensors.values(EvaluationResults.read(embedded.resolve("epochs/000001/samples")).get("e000001-p00000-g000").getEndpoint());
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-4, "latent value " + i);
    }
  }
}
