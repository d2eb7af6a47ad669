package ram.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.AdvantageMode;
import ram.model.LaggedPolicy;
import ram.model.OdeSampler;
import ram.model.TimeSampler;

/** The typed config: defaults from the one table, {@code extends}, required keys named, retired keys. */
class TypedConfigTest {

  private static Path write(Path dir, String name, String yaml) throws Exception {
    Path f = dir.resolve(name + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void keysLeftOutTakeTheTablesDefaults(@TempDir Path dir) throws Exception {
    RunConfig c = RunConfig.load(write(dir, "mini", "task: toy2d\nrewards: {toy2d: 1.0}\nsample_steps: 7\n"), Map.of());
    assertEquals(new SamplingSettings(7, OdeSampler.Method.EULER, 1.0, 1.0), c.sampling());
    assertEquals(7, c.evaluation().steps(), "eval_steps follows sample_steps where it is left out");
    assertEquals(new RamSettings(4, TimeSampler.SQRT_UNIFORM, 100.0, AdvantageMode.GROUP_NORMALIZED, LaggedPolicy.EMA), c.ram());
    assertEquals(new OptimizerSettings(3.0e-5, 0.0, 0.9, 0.999, 1.0e-8), c.optimizer());
    assertEquals("outputs/mini", c.runtime().outputDir());
    assertEquals(Map.of("toy2d", 1.0), c.evaluation().rewards(), "eval_rewards default to the run's rewards");
    assertEquals(42, c.seed());
    assertNull(c.finetune().loraConfig(), "full fine-tuning by default");
    assertTrue(!c.has("renoisings") && c.resolvedValues().containsKey("renoisings"), "a default is resolved, not set");
  }

  @Test
  void everyKeyHasASectionAndADocumentedDefaultOrNone() {
    for (ConfigKeys.Key k : ConfigKeys.all()) {
      assertTrue(k.section() != null && !k.doc().isBlank(), k.name());
      if (k.defaultValue() != null) { // a default must pass the key's own check
        assertEquals(k.defaultValue(), RunConfig.check("default of " + k.name(), k.name(), k.defaultValue()), k.name());
      }
    }
  }

  @Test
  void aConfigExtendsAnotherAndOverridesWhatItSets(@TempDir Path dir) throws Exception {
    write(dir, "parent", "task: geneval\nrewards: {geneval: 1.0}\nepochs: 20\nlearning_rate: 3.0e-5\nsample_steps: 25\n");
    RunConfig child = RunConfig.load(write(dir, "child", "extends: parent\nalgorithm: flow_grpo\nsample_steps: 10\n"),
        Map.of("epochs", "3"));
    assertEquals("child", child.name());
    assertEquals(10, child.sampling().steps(), "the child's value wins");
    assertEquals(3.0e-5, child.optimizer().learningRate(), "the parent's value is inherited");
    assertEquals(3, child.schedule().epochs(), "an override wins over both");
    assertTrue(child.flowGrpo());
    assertTrue(!child.values().containsKey(RunConfig.EXTENDS), "extends is not a value of the run");
  }

  @Test
  void extendsErrorsNameTheFile(@TempDir Path dir) throws Exception {
    Path missing = write(dir, "orphan", "extends: nowhere\n");
    ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(missing, Map.of()));
    assertTrue(e.getMessage().startsWith(missing + ": key 'extends': no config ") && e.getMessage().contains("nowhere.yaml"),
        e.getMessage());
    write(dir, "a", "extends: b\n");
    Path b = write(dir, "b", "extends: a\n");
    e = assertThrows(ConfigException.class, () -> RunConfig.load(b, Map.of()));
    assertTrue(e.getMessage().contains("extend each other in a cycle"), e.getMessage());
    Path list = write(dir, "list", "extends: [a, b]\n");
    e = assertThrows(ConfigException.class, () -> RunConfig.load(list, Map.of()));
    assertTrue(e.getMessage().contains("expected the name of a config"), e.getMessage());
  }

  @Test
  void aSectionWithoutItsRequiredKeyIsRefusedByName(@TempDir Path dir) throws Exception {
    RunConfig store = RunConfig.load(write(dir, "store", "runner: direct\n"), Map.of());
    assertEquals("direct", store.runtime().runner(), "sections with defaults for every key are readable");
    ConfigException e = assertThrows(ConfigException.class, store::model);
    assertEquals("config 'store' has no key 'model' (velocity network: a built-in architecture, or torchscript (docs/your-model.md))", e.getMessage());
    e = assertThrows(ConfigException.class, store::task);
    assertTrue(e.getMessage().startsWith("config 'store' has no key 'rewards'"), e.getMessage());
  }

  @Test
  void retiredKeysAreSkippedOnlyAtTheValueRamAlwaysUses(@TempDir Path dir) throws Exception {
    RunConfig c = RunConfig.load(write(dir, "old", "optimizer: adamw\nupdate_velocity: conditional\n"), Map.of());
    assertTrue(!c.values().containsKey("optimizer") && !c.values().containsKey("update_velocity"));
    Path sgd = write(dir, "sgd", "optimizer: sgd\n");
    ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(sgd, Map.of()));
    assertTrue(e.getMessage().contains("unknown key 'optimizer'"), e.getMessage());
  }

  @Test
  void trainingDifferencesCompareResolvedValues(@TempDir Path dir) throws Exception {
    RunConfig implicit = RunConfig.load(write(dir, "implicit", "task: toy2d\nrewards: {toy2d: 1.0}\n"), Map.of());
    RunConfig explicit = implicit.with("renoisings", 4);
    assertEquals(List.of(), implicit.trainingDifferences(explicit), "a key written at its default is no difference");
    assertEquals(List.of("renoisings"), implicit.trainingDifferences(implicit.with("renoisings", 8)));
  }
}
