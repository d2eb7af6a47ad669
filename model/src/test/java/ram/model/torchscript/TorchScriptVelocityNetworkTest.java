package ram.model.torchscript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Autograd;
import ram.model.Checkpoint;
import ram.model.Devices;
import ram.model.ParameterSet;
import ram.model.ToyVelocityMlp;
import ram.model.VelocityNetwork;

/**
 * The committed TorchScript fixtures (made by tools/make_torchscript_fixtures.py) against ram's own
 * networks: the ring module is a PyTorch port of the built-in 2-D MLP holding the shipped toy base's
 * weights, so the two must give the same velocity and the same gradient; the image fixture must be
 * conditioned by its text encoder and decoded to RGB images; and each way a model can be wrong is
 * refused naming the file and the mismatch.
 */
class TorchScriptVelocityNetworkTest {

  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  static final Path RING = ROOT.resolve("models/torchscript/ring.pt");
  static final Path IMAGE = ROOT.resolve("models/torchscript/image");

  static TorchScriptSpec ring(String trainable) {
    return new TorchScriptSpec(RING.toString(), List.of(2), null, 64, null, null, trainable, null);
  }

  static TorchScriptSpec image(String trainable) {
    return new TorchScriptSpec(IMAGE.resolve("velocity.pt").toString(), List.of(4, 8, 8), IMAGE.resolve("text_encoder.pt").toString(),
        64, null, IMAGE.resolve("decoder.pt").toString(), trainable, null);
  }

  static ParameterSet toyBase() {
    return Checkpoint.params(Checkpoint.readDirectory(ROOT.resolve("models/toy2d/base")), Checkpoint.THETA, "models/toy2d/base");
  }

  static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (r.nextDouble() * 4 - 2);
    }
    return v;
  }

  /** The velocity of {@code network} at {@code theta} on fixed inputs, and the gradient of sum(v^2) / 2. */
  static Object[] velocityAndGradient(VelocityNetwork network, ParameterSet theta, int rows) {
    try (NDManager manager = Devices.newManager()) {
      NDArray x = manager.create(random(rows * 2, 1), new Shape(rows, 2));
      NDArray t = manager.create(random(rows, 2)).abs().div(2);
      NDList params = theta.toNDList(manager);
      for (NDArray p : params) {
        p.setRequiresGradient(true);
      }
      float[] v;
      try (var collector = Autograd.collector()) {
        NDArray out = network.velocity(params, x, t, Collections.nCopies(rows, ""));
        v = out.toFloatArray();
        collector.backward(out.square().sum().div(2));
      }
      return new Object[] {v, network.gradient(theta, params)};
    }
  }

  @Test
  void theRingModuleIsTheBuiltInMlpWithTheShippedWeights() {
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(ring(".*"));
    ParameterSet base = toyBase();
    ParameterSet scriptTheta = script.initialize(0);
    base.requireSameLayout(scriptTheta); // same names and shapes as the built-in network
    assertEquals(base, scriptTheta, "the fixture holds models/toy2d/base's weights");
    Object[] builtIn = velocityAndGradient(new ToyVelocityMlp(), base, 64);
    Object[] scripted = velocityAndGradient(script, scriptTheta, 64);
    float[] a = (float[]) builtIn[0];
    float[] b = (float[]) scripted[0];
    for (int i = 0; i < a.length; i++) {
      assertEquals(a[i], b[i], 1e-4, "velocity " + i);
    }
    ParameterSet ga = (ParameterSet) builtIn[1];
    ParameterSet gb = (ParameterSet) scripted[1];
    assertTrue(ga.norm() > 1, "a gradient that is not zero");
    for (String name : ga.names()) {
      float[] x = ga.get(name);
      float[] y = gb.get(name);
      for (int i = 0; i < x.length; i++) {
        assertEquals(x[i], y[i], 1e-3 + 1e-4 * Math.abs(x[i]), name + "[" + i + "]");
      }
    }
  }

  @Test
  void theValuesPassedAreTheValuesUsedAndTheModuleIsLoadedOnce() {
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(ring(".*"));
    ParameterSet base = script.initialize(0);
    ParameterSet zeroed = base.copy();
    zeroed.scaleInPlace(0f); // every layer zero: the velocity is exactly 0
    long loads = TorchScriptModules.loads();
    try (NDManager manager = Devices.newManager()) {
      NDArray x = manager.create(random(8, 3), new Shape(4, 2));
      NDArray t = manager.create(new float[] {0.1f, 0.4f, 0.6f, 0.9f});
      List<String> prompts = Collections.nCopies(4, "");
      float[] first = script.velocity(base.toNDList(manager), x, t, prompts).toFloatArray();
      assertArrayEquals(new float[8], script.velocity(zeroed.toNDList(manager), x, t, prompts).toFloatArray());
      assertArrayEquals(first, script.velocity(base.toNDList(manager), x, t, prompts).toFloatArray(), "rebinding restores the values");
      assertNotEquals(0f, first[0]);
    }
    assertEquals(loads, TorchScriptModules.loads(), "one thread reuses the module it loaded");
  }

  @Test
  void aTrainableExpressionTrainsOnlyWhatItMatches() {
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(ring("linear3\\..*"));
    ParameterSet theta = script.initialize(0);
    assertEquals(List.of("linear3.weight", "linear3.bias"), theta.names());
    ParameterSet full = toyBase();
    ParameterSet g = (ParameterSet) velocityAndGradient(script, theta, 16)[1];
    ParameterSet gFull = (ParameterSet) velocityAndGradient(new ToyVelocityMlp(), full, 16)[1];
    float[] expected = gFull.get("linear3.weight");
    float[] got = g.get("linear3.weight");
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], got[i], 1e-3 + 1e-4 * Math.abs(expected[i]));
    }
  }

  @Test
  void theImageFixtureIsConditionedByItsTextEncoderAndDecodedToImages() {
    TorchScriptVelocityNetwork script = new TorchScriptVelocityNetwork(image(".*"));
    assertTrue(script.conditional());
    assertTrue(script.decodes());
    assertArrayEquals(new int[] {3, 32, 32}, script.imageShape());
    try (NDManager manager = Devices.newManager()) {
      NDArray x = manager.create(random(2 * 256, 4), new Shape(2, 4, 8, 8));
      NDArray t = manager.create(new float[] {0.5f, 0.5f});
      NDList theta = script.initialize(0).toNDList(manager);
      float[] v = script.velocity(theta, x, t, List.of("a red square", "a blue star")).toFloatArray();
      float[] same = script.velocity(theta, x, t, List.of("a red square", "a red square")).toFloatArray();
      assertEquals(v.length, same.length);
      boolean differs = false;
      for (int i = 256; i < 512; i++) {
        differs |= v[i] != same[i];
      }
      assertTrue(differs, "the prompt changes the velocity");
      for (int i = 0; i < 256; i++) {
        assertEquals(v[i], same[i], 1e-6);
      }
    }
    float[] images = script.images(random(2 * 256, 5), 2);
    assertEquals(2 * 3 * 32 * 32, images.length);
    for (float p : images) {
      assertTrue(p >= -1 && p <= 1, "decoded pixels in [-1, 1]: " + p);
    }
  }

  @Test
  void wrongModelsAreRefusedNamingTheFileAndTheMismatch(@TempDir Path tmp) throws Exception {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> new TorchScriptVelocityNetwork(new TorchScriptSpec(tmp.resolve("none.pt").toString(), List.of(2), null, 64, null, null, ".*", null)));
    assertTrue(missing.getMessage().contains("none.pt"), missing.getMessage());
    IllegalArgumentException nothing = assertThrows(IllegalArgumentException.class, () -> new TorchScriptVelocityNetwork(ring("lora.*")));
    assertTrue(nothing.getMessage().startsWith("trainable: 'lora.*' matches none of the 8 parameters of "), nothing.getMessage());
    IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
        () -> new TorchScriptVelocityNetwork(new TorchScriptSpec(RING.toString(), List.of(3), null, 64, null, null, ".*", null)));
    assertTrue(shape.getMessage().startsWith(RING + ": forward(x_t [1, 3], t [1], cond [1, 0]) failed: "), shape.getMessage());
    Path garbage = tmp.resolve("garbage.pt");
    Files.writeString(garbage, "not a module");
    IllegalArgumentException notModule = assertThrows(IllegalArgumentException.class,
        () -> new TorchScriptVelocityNetwork(new TorchScriptSpec(garbage.toString(), List.of(2), null, 64, null, null, ".*", null)));
    assertTrue(notModule.getMessage().startsWith(garbage + ": not a TorchScript module PyTorch can load"), notModule.getMessage());
    assertFalse(notModule.getMessage().contains("\n"), "one line");
  }
}
