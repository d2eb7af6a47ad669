package ram.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.rewards.RewardSettings;

/**
 * The rewards' own settings are config keys like any other: declared by each reward's provider,
 * type-checked by name from a file or the command line, resolved against ram's home where they are
 * paths, written into a run's resolved config only where the run uses the reward, and either
 * training keys or (for how a reward runs) execution keys.
 */
class RewardSettingsConfigTest {

  private static Path write(Path dir, String yaml) throws Exception {
    Path f = dir.resolve("run.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void theRewardsDeclareTheirKeysInTheirOwnSection() {
    for (String key : List.of("onnx_model", "onnx_input", "onnx_size", "onnx_mean", "onnx_std", "onnx_output", "http_url",
        "http_timeout_seconds", "http_retries", "http_batch_size", "http_concurrency")) {
      assertEquals(ConfigKeys.Section.REWARD_SETTINGS, ConfigKeys.get(key).section(), key);
      assertEquals(key.substring(0, key.indexOf('_')), ConfigKeys.rewardOf(key), key);
    }
    assertEquals(null, ConfigKeys.rewardOf("epochs"));
    assertEquals(ConfigKeys.Type.NUMBER_LIST, ConfigKeys.get("onnx_mean").type());
    assertEquals(List.of("image", "image+text"), ConfigKeys.get("onnx_input").choices());
    assertTrue(ConfigKeys.EXECUTION_KEYS.containsAll(List.of("http_timeout_seconds", "http_retries", "http_batch_size",
        "http_concurrency")));
    assertFalse(ConfigKeys.EXECUTION_KEYS.contains("http_url") || ConfigKeys.EXECUTION_KEYS.contains("onnx_model"));
  }

  @Test
  void valuesFromAFileAndTheCommandLineAreCheckedAndPathsResolved(@TempDir Path dir) throws Exception {
    Path file = write(dir, "task: geneval\nrewards: {onnx: 1.0}\nonnx_model: models/scorer.onnx\nonnx_mean: [0.5, 0.25, 0]\n"
        + "onnx_output: 1\n");
    RunConfig c = RunConfig.load(file, Map.of("onnx_std", "0.5,0.5,0.5", "onnx_size", "32"));
    RewardSettings s = c.rewardSettings(dir);
    assertEquals(dir.resolve("models/scorer.onnx").toString(), s.string("onnx_model"), "resolved against home");
    assertEquals(List.of(0.5, 0.25, 0.0), List.of(s.numbers("onnx_mean")[0], s.numbers("onnx_mean")[1], s.numbers("onnx_mean")[2]));
    assertEquals(0.5, s.numbers("onnx_std")[2]);
    assertEquals(32, s.integer("onnx_size"));
    assertEquals("1", s.string("onnx_output"), "an index is kept as written");
    assertEquals("image", s.string("onnx_input"), "a default");
    assertEquals(30.0, s.number("http_timeout_seconds"), "every reward's defaults travel; each reads its own");
    assertFalse(s.has("http_url"), "no default: absent");
    assertEquals(c.rewardSettings(dir), RunConfig.load(file, Map.of("onnx_std", "[0.5, 0.5, 0.5]", "onnx_size", "32")).rewardSettings(dir),
        "a list as x,x,x or [x, x]");

    for (Map.Entry<String, String> bad : Map.of("onnx_mean", "[0.5, high]", "onnx_size", "0", "onnx_input", "text",
        "http_retries", "-1", "http_timeout_seconds", "0").entrySet()) {
      ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(file, Map.of(bad.getKey(), bad.getValue())),
          bad.toString());
      assertTrue(e.getMessage().startsWith("--" + bad.getKey() + ": "), e.getMessage());
    }
    Path badFile = write(dir, "task: geneval\nrewards: {onnx: 1.0}\nonnx_std: 0.5\n");
    ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.load(badFile, Map.of()));
    assertEquals(badFile + ": key 'onnx_std': expected a list of numbers such as [0.5, 0.5, 0.5], got '0.5'", e.getMessage());
    Path listOutput = write(dir, "task: geneval\nrewards: {onnx: 1.0}\nonnx_output: [1]\n");
    e = assertThrows(ConfigException.class, () -> RunConfig.load(listOutput, Map.of()));
    assertEquals(listOutput + ": key 'onnx_output': expected a name or a non-negative integer index, got '[1]'", e.getMessage());
  }

  @Test
  void aRunsResolvedConfigHoldsTheSettingsOfTheRewardsItUses(@TempDir Path dir) throws Exception {
    RunConfig onnx = RunConfig.load(write(dir, "task: geneval\nrewards: {onnx: 1.0}\nonnx_model: m.onnx\n"), Map.of());
    String yaml = onnx.toYaml();
    assertTrue(yaml.contains("onnx_model: m.onnx") && yaml.contains("onnx_size: 224") && yaml.contains("onnx_input: image"), yaml);
    assertFalse(yaml.contains("http_"), "http is not a reward of the run: " + yaml);
    Path written = Files.writeString(dir.resolve("resolved.yaml"), yaml);
    RunConfig back = RunConfig.readResolved(written, "run");
    assertEquals(List.of(), back.trainingDifferences(onnx));
    assertEquals(onnx.rewardSettings(dir), back.rewardSettings(dir));

    RunConfig geneval = RunConfig.load(write(dir, "task: geneval\nrewards: {geneval: 1.0}\neval_rewards: {http: 1.0}\n"), Map.of());
    assertTrue(geneval.toYaml().contains("http_retries: 2"), "an eval reward's settings: " + geneval.toYaml());
    assertFalse(geneval.toYaml().contains("onnx_"), geneval.toYaml());

    RunConfig resumedFaster = onnx.withOverride("http_timeout_seconds", "5").withOverride("onnx_size", "64");
    assertEquals(List.of("onnx_size"), resumedFaster.trainingDifferences(onnx), "a timeout may change when a run resumes");
  }
}
