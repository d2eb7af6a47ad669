package ram.model.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Autograd;
import ram.model.Checkpoint;
import ram.model.Devices;
import ram.model.ParameterSet;
import ram.model.SafeTensors;
import ram.model.UNetVelocityNetwork;
import ram.model.VelocityNetwork;

/**
 * The shipped image base ported to PyTorch (models/torchscript/base, written by
 * tools/make_torchscript_base.py) against the built-in network on models/base's weights: the same
 * weights, the same velocity within 1e-4 on GenEval test prompts of every tag, the empty prompt, OCR prompts
 * (letter attention) and prompts beyond ASCII, and the same gradient. The port tokenizes inside
 * TorchScript, from the prompt's bytes; the two implementations share no code, so agreement pins
 * both the tokenization (word bags, hashed word identities, letter places) and the network.
 */
class BaseTorchScriptPortTest {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path PORT = ROOT.resolve("models/torchscript/base");
  /** Enough bytes for 64 UTF-16 code units of any prompt (three bytes each at most). */
  static final int TEXT_LENGTH = 192;
  static final double VELOCITY_TOLERANCE = 1e-4;

  /** Prompts beyond the prompt files: letters beyond ASCII, a surrogate pair, Unicode spaces, long words, cut-off prompts. */
  static final List<String> EDGE_PROMPTS = List.of("a sign that reads \"ÉTÉ\"", "the word \"Ωμ7\" painted on a wall",
      "a red \uD83D\uDE00 circle", "a\u2003blue\u00A0star\tand\na\u001Ccross", "a label that says \"日本\"",
      "an extraordinarily-long-hyphenated-word next to \"ABCDEFGHIJKLMNOPQRST\"",
      "naïve café scene with a yellow square left of a green triangle, and more and more words to cut",
      "  leading and trailing spaces  ", "\"", "a \"\" b \"x\"y\"", "é".repeat(70), "x ".repeat(40));

  static TorchScriptSpec port(String trainable, String initWeights) {
    return new TorchScriptSpec(PORT.resolve("velocity.pt").toString(), List.of(3, 32, 32), PORT.resolve("text_encoder.pt").toString(),
        TEXT_LENGTH, null, null, trainable, initWeights);
  }

  /** The port's name of a built-in parameter: the same, but {@code in_.*} for {@code in.*} ("in" is a keyword of TorchScript's serialized code). */
  static String portName(String name) {
    return name.startsWith("in.") ? "in_" + name.substring(2) : name;
  }

  /** {@code theta} under the port's names, in the port's order. */
  static ParameterSet toPort(ParameterSet theta, ParameterSet portLayout) {
    ParameterSet out = new ParameterSet();
    for (String name : portLayout.names()) {
      String builtIn = name.startsWith("in_.") ? "in" + name.substring(3) : name;
      out.put(name, theta.shape(builtIn), theta.get(builtIn).clone());
    }
    return out;
  }

  static ParameterSet base(UNetVelocityNetwork network) {
    ParameterSet base = Checkpoint.params(Checkpoint.readDirectory(ROOT.resolve("models/base")), Checkpoint.THETA, "models/base");
    return base.grownInto(network.initialize(0)); // the network's order
  }

  static List<String> promptFile(String file) throws IOException {
    List<String> prompts = new ArrayList<>();
    for (String line : Files.readAllLines(ROOT.resolve(file))) {
      if (!line.isBlank()) {
        prompts.add(JsonParser.parseString(line).getAsJsonObject().get("prompt").getAsString());
      }
    }
    return prompts;
  }

  static float[] gaussians(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble()));
    }
    return v;
  }

  /** Times spread over (0, 1), the batch's own for each row. */
  static float[] times(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = (float) ((i + r.nextDouble()) / n);
    }
    return t;
  }

  static float[] velocity(VelocityNetwork network, ParameterSet theta, List<String> prompts, long seed) {
    try (NDManager manager = Devices.newManager()) {
      int b = prompts.size();
      NDArray x = manager.create(gaussians(b * 3 * 32 * 32, seed), new Shape(b, 3, 32, 32));
      NDArray t = manager.create(times(b, seed));
      return network.velocity(theta.toNDList(manager), x, t, prompts).toFloatArray();
    }
  }

  /** The largest |a - b| over the velocities of both networks, batch by batch. */
  static double maxVelocityDifference(VelocityNetwork a, ParameterSet thetaA, VelocityNetwork b, ParameterSet thetaB, List<String> prompts,
      int batch) {
    double max = 0;
    for (int start = 0; start < prompts.size(); start += batch) {
      List<String> rows = prompts.subList(start, Math.min(prompts.size(), start + batch));
      float[] va = velocity(a, thetaA, rows, start);
      float[] vb = velocity(b, thetaB, rows, start);
      assertEquals(va.length, vb.length);
      for (int i = 0; i < va.length; i++) {
        assertTrue(Float.isFinite(va[i]), "finite velocity");
        max = Math.max(max, Math.abs(va[i] - vb[i]));
      }
    }
    return max;
  }

  @Test
  void thePortHoldsTheShippedBaseAndGivesItsVelocity() throws IOException {
    UNetVelocityNetwork builtIn = new UNetVelocityNetwork(UNetVelocityNetwork.BASE_LETTERS);
    assertEquals("unet-32px-c32-d128-t2-wi-la", builtIn.architecture());
    assertEquals(builtIn.architecture(),
        JsonParser.parseString(Files.readString(ROOT.resolve("models/base/manifest.json"))).getAsJsonObject().get("architecture").getAsString());
    ParameterSet base = base(builtIn);
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(port(".*", null));
    ParameterSet scriptTheta = script.initialize(0);
    assertEquals(toPort(base, scriptTheta), scriptTheta, "the module holds models/base's weights");
    List<String> prompts = new ArrayList<>(List.of("", "an image of a red triangle", "an image of a cross left of a star",
        "a sign that reads \"PTNV\"", "the word \"KZ\" painted on a wall"));
    prompts.addAll(EDGE_PROMPTS.subList(0, 3));
    double max = maxVelocityDifference(builtIn, base, script, scriptTheta, prompts, 8);
    System.out.printf("BASE PORT max |v_java - v_torchscript| = %s over %d prompts%n", max, prompts.size());
    assertTrue(max < VELOCITY_TOLERANCE, "max velocity difference " + max);
  }

  /** Every fifth GenEval test prompt, the empty prompt, 16 OCR test prompts and all the edge prompts, in batches of 8. */
  @Test
  @Tag("slow")
  void thePortGivesTheBuiltInVelocityOnEveryTestPrompt() throws IOException {
    UNetVelocityNetwork builtIn = new UNetVelocityNetwork(UNetVelocityNetwork.BASE_LETTERS);
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(port(".*", null));
    List<String> prompts = new ArrayList<>();
    prompts.add("");
    List<String> geneval = promptFile("prompts/geneval/test.jsonl");
    for (int i = 0; i < geneval.size(); i += 5) { // every fifth: 40 prompts of every tag, so the suite stays short
      prompts.add(geneval.get(i));
    }
    prompts.addAll(promptFile("prompts/ocr/test.jsonl").subList(0, 16));
    prompts.addAll(EDGE_PROMPTS);
    prompts.add("");
    double max = maxVelocityDifference(builtIn, base(builtIn), script, script.initialize(0), prompts, 8);
    System.out.printf("BASE PORT max |v_java - v_torchscript| = %s over %d prompts%n", max, prompts.size());
    assertTrue(max < VELOCITY_TOLERANCE, "max velocity difference " + max);
  }

  /** The gradient of sum(v^2) / 2 over one batch, by parameter name (the port's names). */
  static Map<String, float[]> gradient(VelocityNetwork network, ParameterSet theta, List<String> prompts) {
    try (NDManager manager = Devices.newManager()) {
      int b = prompts.size();
      NDArray x = manager.create(gaussians(b * 3 * 32 * 32, 11), new Shape(b, 3, 32, 32));
      NDArray t = manager.create(times(b, 12));
      NDList params = theta.toNDList(manager);
      for (NDArray p : params) {
        p.setRequiresGradient(true);
      }
      try (var collector = Autograd.collector()) {
        NDArray v = network.velocity(params, x, t, prompts);
        collector.backward(v.square().sum().div(2));
      }
      ParameterSet g = network.gradient(theta, params);
      Map<String, float[]> out = new java.util.HashMap<>();
      for (String name : g.names()) {
        out.put(portName(name), g.get(name));
      }
      return out;
    }
  }

  @Test
  void thePortGivesTheBuiltInGradient() {
    UNetVelocityNetwork builtIn = new UNetVelocityNetwork(UNetVelocityNetwork.BASE_LETTERS);
    ParameterSet base = base(builtIn);
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(port(".*", null));
    ParameterSet scriptTheta = script.initialize(0);
    List<String> prompts = List.of("", "an image of two red circles", "a sign that reads \"RAMBO\"", "an image of a cross left of a star");
    Map<String, float[]> expected = gradient(builtIn, base, prompts);
    Map<String, float[]> got = gradient(script, scriptTheta, prompts);
    assertEquals(expected.keySet(), got.keySet());
    double worst = 0;
    for (String name : expected.keySet()) {
      float[] e = expected.get(name);
      float[] g = got.get(name);
      double diff = 0;
      double norm = 0;
      for (int i = 0; i < e.length; i++) {
        diff += (e[i] - g[i]) * (double) (e[i] - g[i]);
        norm += e[i] * (double) e[i];
      }
      double relative = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-6);
      worst = Math.max(worst, relative);
      assertTrue(relative < 1e-3, name + ": relative gradient difference " + relative + " (norm " + Math.sqrt(norm) + ")");
    }
    for (String name : List.of("in_.weight", "text.word_id", "enc2.letters.kplace", "block1.cross.kv.weight", "out.bias")) {
      assertTrue(norm(expected.get(name)) > 1e-3, name + " has a gradient that is not zero");
    }
    System.out.printf("BASE PORT worst relative gradient difference over %d tensors = %.3g%n", expected.size(), worst);
  }

  static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * (double) x;
    }
    return Math.sqrt(s);
  }

  /**
   * Weights given as init_weights (safetensors, the built-in names but in_.*) replace the module's own: the
   * base changed in a few tensors, loaded so, gives the built-in network's velocity at the changed weights.
   */
  @Test
  void initWeightsThroughSafetensorsGiveTheSameNetwork(@TempDir Path tmp) {
    UNetVelocityNetwork builtIn = new UNetVelocityNetwork(UNetVelocityNetwork.BASE_LETTERS);
    ParameterSet changed = base(builtIn);
    for (String name : List.of("text.word_id", "enc2.letters.kplace", "block0.adaln.weight", "out.weight")) {
      float[] v = changed.get(name);
      float[] noise = gaussians(v.length, name.hashCode());
      for (int i = 0; i < v.length; i++) {
        v[i] = 1.25f * v[i] + 0.01f * noise[i];
      }
    }
    changed.get("out.bias")[1] += 0.5f;
    ParameterSet portLayout = new TorchScriptVelocityNetwork(port(".*", null)).initialize(0);
    Path weights = tmp.resolve("base.safetensors");
    SafeTensors.write(toPort(changed, portLayout), weights);
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(port("out\\..*", weights.toString()));
    ParameterSet trained = script.initialize(0);
    assertEquals(List.of("out.weight", "out.bias"), trained.names());
    assertEquals(changed.get("out.bias")[1], trained.get("out.bias")[1]);
    List<String> prompts = List.of("", "an image of a blue star", "a sign that reads \"HK\"", "an image of three stars");
    double max = maxVelocityDifference(builtIn, changed, script, trained, prompts, 4);
    assertTrue(max < VELOCITY_TOLERANCE, "max velocity difference " + max);
    double moved = maxVelocityDifference(builtIn, base(builtIn), script, trained, prompts, 4);
    assertTrue(moved > 1e-2, "the changed weights change the velocity: " + moved);
  }
}
