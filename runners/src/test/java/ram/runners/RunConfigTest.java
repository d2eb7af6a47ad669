package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.ConfigException;
import ram.config.RunConfig;
import ram.runners.cli.ConfigFiles;
import ram.runners.cli.Main;
import ram.runners.train.RunDirectory;

/** Configs and overrides are type-checked, and every error names the file or key. */
class RunConfigTest {

  static final Path HOME = Path.of(System.getProperty("ram.repo", "..")).toAbsolutePath().normalize();
  static final Path TOY = HOME.resolve("configs/toy2d.yaml");

  @Test
  void overridesAreTypeCheckedAndApplied() {
    RunConfig c = RunConfig.load(TOY, Map.of("epochs", "3", "learning_rate", "1e-4", "rewards", "toy2d=2",
        "flink_master", "[auto]"));
    assertEquals("[auto]", c.runtime().flinkMaster());
    assertEquals(3, c.schedule().epochs());
    assertEquals(1e-4, c.optimizer().learningRate());
    assertEquals(Map.of("toy2d", 2.0), c.task().rewards());
    assertEquals("toy2d", c.name());
  }

  /** The YAML files of {@code configs/<under>}, sorted. */
  private static List<Path> yamlFiles(String under) throws Exception {
    try (var files = java.nio.file.Files.list(HOME.resolve("configs").resolve(under))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everyShippedConfigLoadsAndNamesAKnownModel() throws Exception {
    List<Path> configs = new java.util.ArrayList<>(yamlFiles(""));
    configs.addAll(yamlFiles(ConfigFiles.PRETRAIN_CONFIGS));
    assertTrue(configs.size() >= 12, configs.toString());
    int models = 0;
    int shipped = 0;
    for (Path config : configs) {
      RunConfig c = RunConfig.load(config, Map.of());
      if (c.has("model") && c.model().isTorchScript()) { // a user's model: its files load and take the declared shape
        new ram.model.torchscript.TorchScriptVelocityNetwork(c.model().resolvedAgainst(HOME).torchscript());
        models++;
      } else if (c.has("model")) { // store.yaml configures only the store pipelines' runner
        assertTrue(ram.model.Networks.names().contains(c.model().architecture()), config + ": model " + c.model().architecture());
        models++;
        Path checkpoint = c.has("base_checkpoint") ? RunConfig.resolve(c.model().baseCheckpoint(), HOME) : HOME.resolve("none");
        if (checkpoint.startsWith(HOME.resolve("models"))) { // a shipped checkpoint: the model must match it
          String architecture = ram.model.Checkpoint.verify(ram.model.Checkpoint.readDirectory(checkpoint), checkpoint.toString())
              .get("architecture").getAsString();
          assertEquals(architecture, c.model().architecture(), config + ": base_checkpoint " + checkpoint);
          shipped++;
        }
      }
    }
    assertEquals(configs.size() - 1, models);
    assertTrue(shipped >= 8, "configs on a shipped checkpoint: " + shipped);
  }

  @Test
  void unknownKeyIsNamed() {
    ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(TOY, Map.of("epoch", "3")));
    assertTrue(e.getMessage().contains("--epoch") && e.getMessage().contains("unknown key 'epoch'"), e.getMessage());
  }

  @Test
  void badValuesAreNamed() {
    for (Map.Entry<String, String> bad : Map.of("epochs", "three", "prompts_per_epoch", "0", "runner", "spark",
        "learning_rate", "-1", "renoisings", "2.5").entrySet()) {
      ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(TOY, Map.of(bad.getKey(), bad.getValue())));
      assertTrue(e.getMessage().contains(bad.getKey()), e.getMessage());
    }
    ConfigException reward = assertThrows(ConfigException.class, () -> RunConfig.load(TOY, Map.of("rewards", "geneval_strict:1.0")));
    assertEquals("--rewards: unknown reward 'geneval_strict:1.0'; known rewards: compressibility, geneval, geneval_strict, "
        + "http, ocr, onnx, toy2d (a reward of your own: docs/your-reward.md) (on the command line: --rewards name=weight[,name=weight])",
        reward.getMessage());
  }

  @Test
  void malformedYamlNamesTheFile(@TempDir Path dir) throws Exception {
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "epochs: [1, 2\nseed: 3\n");
    ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(bad, Map.of()));
    assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("malformed YAML"), e.getMessage());
    Files.writeString(bad, "- just\n- a list\n");
    assertThrows(ConfigException.class, () -> RunConfig.load(bad, Map.of()));
    Files.writeString(bad, "seed: 1\nepochs: -4\n");
    e = assertThrows(ConfigException.class, () -> RunConfig.load(bad, Map.of()));
    assertTrue(e.getMessage().contains("'epochs'") && e.getMessage().contains("positive"), e.getMessage());
  }

  @Test
  void resolvedConfigRoundTripsAndReportsTrainingDifferences(@TempDir Path dir) {
    RunConfig c = RunConfig.load(TOY, Map.of("epochs", "4"));
    Path f = dir.resolve("config.yaml");
    RunDirectory.writeAtomically(f, c.toYaml());
    RunConfig back = RunConfig.readResolved(f, "toy2d");
    assertEquals(c.resolvedValues(), back.resolvedValues());
    assertEquals(List.of(), c.trainingDifferences(back.with("epochs", 9)));
    assertEquals(List.of("seed"), c.trainingDifferences(back.with("seed", 7)));
  }

  @Test
  void commandLineErrorsExitWithCode2() {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream errStream = new java.io.PrintStream(err);
    System.setProperty("ram.home", HOME.toString());
    assertEquals(2, Main.run(new String[] {"train", "no_such_config"}, System.out, errStream));
    assertEquals(2, Main.run(new String[] {"train", "toy2d", "--epochs"}, System.out, errStream));
    assertEquals(2, Main.run(new String[] {"frobnicate"}, System.out, errStream));
    errStream.flush();
    assertTrue(err.toString().contains("no_such_config") && err.toString().contains("toy2d"), err.toString());
  }
}
