package ram.rewards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rewards are found by name through {@link java.util.ServiceLoader}: the built-ins from this
 * module's services file, and a user's reward from a jar of its own, built here from the example
 * source of docs/your-reward.md, compiled and jarred at test time and loaded by a class loader
 * that the build's class path never saw. Broken jars (a name twice, a setting outside the name's
 * prefix) are refused in one line naming the classes.
 */
class RewardProvidersTest {

  @TempDir Path tmp;

  private static RewardInput sample(String id, float... values) {
    return new RewardInput(id, values, new int[] {values.length}, "", null);
  }

  @Test
  void theBuiltInsAreRegisteredThroughTheServiceFile() {
    assertEquals(List.of("compressibility", "geneval", "geneval_strict", "http", "ocr", "onnx", "toy2d"),
        List.copyOf(RewardRegistry.names()));
    assertEquals(List.of("onnx_model", "onnx_input", "onnx_size", "onnx_mean", "onnx_std", "onnx_output"),
        RewardRegistry.settings().get("onnx").stream().map(RewardSetting::key).toList());
    try (Reward toy = RewardRegistry.create("toy2d")) {
      assertEquals(1.0, toy.score(List.of(sample("a", 4f, 0f))).get(0).value(), 0.0, "the bump's centre");
    }
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> RewardRegistry.create("aesthetics"));
    assertTrue(unknown.getMessage().startsWith("unknown reward 'aesthetics'; known rewards: compressibility, geneval"), unknown.getMessage());
    IllegalArgumentException noModel = assertThrows(IllegalArgumentException.class, () -> RewardRegistry.create("onnx"));
    assertEquals("reward 'onnx': needs onnx_model, the ONNX file that scores an image (docs/your-reward.md)", noModel.getMessage());
  }

  @Test
  void theDocsExampleInAJarOfItsOwnIsFoundByNameAndScores() throws Exception {
    Path jar = ExampleRewardJar.buildDocExample(tmp);
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      RewardProviders providers = RewardProviders.discover(loader);
      assertTrue(providers.names().containsAll(List.of("brightness", "toy2d", "onnx")), providers.names().toString());
      assertEquals(List.of("brightness_target"), providers.settings().get("brightness").stream().map(RewardSetting::key).toList());
      // defaults: target 0; mean of (1, 3) is 2 -> -|2 - 0| = -2
      try (Reward brightness = providers.create("brightness", RewardSettings.NONE)) {
        assertEquals("brightness", brightness.name());
        assertEquals("1;target=0.0", brightness.version());
        List<RewardResult> r = brightness.score(List.of(sample("a", 1f, 3f), sample("empty"), sample("b", -1f, -1f, 0.5f, 0.5f)));
        assertEquals(-2.0, r.get(0).value(), 1e-12);
        assertTrue(!r.get(1).ok() && r.get(1).error().equals("brightness: sample empty: empty sample"), r.get(1).toString());
        assertEquals(-0.25, r.get(2).value(), 1e-12);
      }
      // a setting: target 1.5 -> -|2 - 1.5| = -0.5
      try (Reward brightness = providers.create("brightness", RewardSettings.of(Map.of("brightness_target", 1.5)))) {
        assertEquals(-0.5, brightness.score(List.of(sample("a", 1f, 3f))).get(0).value(), 1e-12);
      }
      assertTrue(!RewardRegistry.names().contains("brightness"), "the build's own class path never saw the jar");
    }
  }

  @Test
  void aNameTwiceOrASettingOutsideItsPrefixIsRefusedNamingTheClasses() throws Exception {
    String twice = """
        package com.example.twice;

        import ram.rewards.Reward;
        import ram.rewards.RewardProvider;
        import ram.rewards.RewardSettings;

        public final class AnotherToy implements RewardProvider {
          public String name() { return "toy2d"; }
          public Reward create(RewardSettings s) { throw new IllegalStateException(); }
        }
        """;
    Path jar = ExampleRewardJar.build(tmp, "twice.jar", List.of(twice), List.of("com.example.twice.AnotherToy"));
    try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader())) {
      RewardProviders providers = RewardProviders.discover(loader);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> providers.create("geneval", RewardSettings.NONE));
      assertEquals("reward 'toy2d' is provided twice, by ram.rewards.BuiltInRewards$Toy2d and com.example.twice.AnotherToy; "
          + "remove one jar from the class path", e.getMessage());
    }
    String prefix = """
        package com.example.prefix;

        import java.util.List;
        import ram.rewards.Reward;
        import ram.rewards.RewardProvider;
        import ram.rewards.RewardSetting;
        import ram.rewards.RewardSettings;

        public final class Sloppy implements RewardProvider {
          public String name() { return "sloppy"; }
          public List<RewardSetting> settings() {
            return List.of(RewardSetting.of("threshold", RewardSetting.Kind.DOUBLE, 0.5, "a threshold"));
          }
          public Reward create(RewardSettings s) { throw new IllegalStateException(); }
        }
        """;
    Path sloppy = ExampleRewardJar.build(tmp, "sloppy.jar", List.of(prefix), List.of("com.example.prefix.Sloppy", "com.example.Missing"));
    try (URLClassLoader loader = new URLClassLoader(new URL[] {sloppy.toUri().toURL()}, getClass().getClassLoader())) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RewardProviders.discover(loader).names());
      assertTrue(e.getMessage().contains("reward 'sloppy' (com.example.prefix.Sloppy) declares the setting 'threshold'; its keys "
          + "must start with 'sloppy_'"), e.getMessage());
      assertTrue(e.getMessage().contains("a reward provider could not be loaded: ") && e.getMessage().contains("com.example.Missing"),
          e.getMessage());
      assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }
  }
}
