package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose {@code onnx} or {@code http} reward cannot score is refused when training starts,
 * before anything is written: exit code 2 and one line naming the file or key and the mismatch.
 * {@code ./ram validate} lists the same problem.
 */
class RewardSettingsCliTest {

  static final Path FIXTURES = RunConfigTest.HOME.resolve("rewards/src/test/resources/onnx");

  @TempDir Path tmp;

  private StorePipelinesTest.Result train(Path out, String... rewardArgs) {
    String[] base = {"train", "geneval", "--output_dir", out.toString(), "--runner", "direct", "--epochs", "1", "--eval_samples", "0"};
    String[] args = new String[base.length + rewardArgs.length];
    System.arraycopy(base, 0, args, 0, base.length);
    System.arraycopy(rewardArgs, 0, args, base.length, rewardArgs.length);
    return StorePipelinesTest.ram(args);
  }

  private void refused(String expected, String... rewardArgs) {
    Path out = tmp.resolve("run");
    StorePipelinesTest.Result r = train(out, rewardArgs);
    assertEquals(2, r.code(), r.err() + r.out());
    assertEquals("error: " + expected + "\n", r.err());
    assertFalse(Files.exists(out), "nothing written");
  }

  @Test
  void unusableOnnxAndHttpSettingsStopTrainingBeforeItStarts() {
    Path missing = tmp.resolve("missing.onnx");
    refused("reward 'onnx': onnx_model " + missing + ": no such file", "--rewards", "onnx=1", "--onnx_model", missing.toString());
    Path wrongRank = FIXTURES.resolve("wrong_rank.onnx");
    refused("reward 'onnx': onnx_model " + wrongRank + " input 'features' has rank 2 [-1, 10]; expected rank 4: [batch, 3, 32, 32]",
        "--rewards", "onnx=1", "--onnx_model", wrongRank.toString(), "--onnx_size", "32");
    Path red = FIXTURES.resolve("red_mean.onnx");
    refused("reward 'onnx': onnx_model " + red + " has no output 'aesthetic'; its outputs: (score [-1] float, green [-1, 1] float)",
        "--rewards", "onnx=1", "--onnx_model", red.toString(), "--onnx_output", "aesthetic");
    refused("reward 'onnx': needs onnx_model, the ONNX file that scores an image (docs/your-reward.md)", "--rewards", "onnx=1");
    refused("reward 'http': needs http_url, the scoring server's URL (docs/your-reward.md)", "--rewards", "geneval=1,http=0.5");
    refused("--onnx_size: expected a positive integer, got 0", "--rewards", "onnx=1", "--onnx_size", "0");
  }

  @Test
  void validateListsTheProblemAndARelativeModelPathIsResolvedAgainstHome() {
    StorePipelinesTest.Result v = StorePipelinesTest.ram("validate", "geneval", "--rewards", "onnx=1", "--onnx_model",
        "rewards/src/test/resources/onnx/wrong_rank.onnx", "--output_dir", tmp.resolve("v").toString());
    assertEquals(2, v.code(), v.out() + v.err());
    assertTrue(v.out().contains("onnx_model") && v.out().contains("rewards/src/test/resources/onnx/wrong_rank.onnx"), v.out());
    assertTrue((v.out() + v.err()).contains("onnx_model " + FIXTURES.resolve("wrong_rank.onnx") + " input 'features' has rank 2"),
        v.out() + v.err());
    StorePipelinesTest.Result ok = StorePipelinesTest.ram("validate", "geneval", "--rewards", "onnx=1", "--onnx_model",
        "rewards/src/test/resources/onnx/red_mean.onnx", "--onnx_size", "32", "--output_dir", tmp.resolve("v").toString());
    assertEquals(0, ok.code(), ok.out() + ok.err());
    assertTrue(ok.out().contains("settings of the rewards (docs/your-reward.md):"), ok.out());
    assertFalse(ok.out().contains("http_url") || ok.out().contains("http_retries"), "http is not a reward of this run: " + ok.out());
  }
}
