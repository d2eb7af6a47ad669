package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.runners.report.EvaluationResults;
import ram.schemas.Sample;
import ram.transforms.Tensors;

/**
 * Each way to bring one's own reward (docs/your-reward.md) trains two epochs through the real
 * pipeline and rescores the stored run: the doc's example reward built as a jar of its own and put
 * on the class path of a fresh JVM (toy2d); the {@code onnx} reward with the red-mean fixture and
 * the {@code http} reward against a server this test starts (geneval on a small U-Net base). Every
 * stored reward equals the value worked out here from the stored sample, and rescoring the run
 * (with the settings of its own config.yaml) gives the stored values again.
 */
@Tag("slow")
class YourRewardTrainingTest {

  @TempDir static Path tmp;
  static Path base;
  static HttpServer server;

  @BeforeAll
  static void setUp() throws Exception {
    base = LoraTrainingTest.writeBase(tmp.resolve("base"));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/score", ex -> { // the mean red byte of each PNG / 255
      JsonObject request = JsonParser.parseString(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
      JsonArray results = new JsonArray();
      for (JsonElement e : request.getAsJsonArray("samples")) {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(e.getAsJsonObject().get("image").getAsString())));
        double sum = 0;
        for (int y = 0; y < image.getHeight(); y++) {
          for (int x = 0; x < image.getWidth(); x++) {
            sum += (image.getRGB(x, y) >> 16) & 0xFF;
          }
        }
        JsonObject r = new JsonObject();
        r.addProperty("score", sum / (image.getWidth() * image.getHeight()) / 255.0);
        results.add(r);
      }
      JsonObject body = new JsonObject();
      body.add("results", results);
      byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, bytes.length);
      ex.getResponseBody().write(bytes);
      ex.close();
    });
    server.start();
  }

  @AfterAll
  static void tearDown() {
    server.stop(0);
  }

  /** Two epochs of geneval on the small base, P 2 x G 2, 2 sampling steps, with the given reward keys. */
  static String[] geneval(Path out, String... rewardArgs) {
    List<String> args = new ArrayList<>(List.of("train", "geneval", "--output_dir", out.toString(), "--runner", "direct",
        "--model", LoraTrainingTest.ARCHITECTURE, "--base_checkpoint", base.toString(), "--epochs", "2", "--prompts_per_epoch", "2",
        "--images_per_prompt", "2", "--sample_steps", "2", "--renoisings", "1", "--eval_samples", "0", "--device", "cpu"));
    args.addAll(List.of(rewardArgs));
    return args.toArray(String[]::new);
  }

  /** For both epochs: the stored rewards and the rescored ones equal {@code expected} of each stored sample. */
  static void storedAndRescoredAre(Path run, String reward, ToDoubleFunction<float[]> expected, double tolerance) {
    assertEquals("000002", readLatest(run), "two epochs trained");
    for (int epoch = 1; epoch <= 2; epoch++) {
      Path dir = run.resolve(String.format("epochs/%06d", epoch));
      Map<String, Sample> samples = EvaluationResults.read(dir.resolve("samples"));
      Map<String, Double> stored = StorePipelinesTest.rewards(dir.resolve("rewards"), reward);
      Map<String, Double> rescored = StorePipelinesTest.rewards(dir.resolve("rewards-" + reward), reward);
      assertEquals(4, samples.size());
      assertEquals(samples.keySet(), stored.keySet(), "every sample scored, none failed");
      for (Map.Entry<String, Sample> s : samples.entrySet()) {
        double want = expected.applyAsDouble(Tensors.values(Tensors.image(s.getValue())));
        assertEquals(want, stored.get(s.getKey()), tolerance, "epoch " + epoch + " " + s.getKey());
      }
      assertEquals(stored, rescored, "epoch " + epoch + ": rescored as stored");
    }
  }

  static String readLatest(Path run) {
    try {
      return Files.readString(run.resolve("latest")).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The mean of the red plane of a [3, 32, 32] image, clipped to [-1, 1], in float as the model sums. */
  static double clippedRedMean(float[] image) {
    double sum = 0;
    for (int i = 0; i < 32 * 32; i++) {
      sum += Math.max(-1f, Math.min(1f, image[i]));
    }
    return sum / (32 * 32);
  }

  /** The mean red byte / 255 of a [3, 32, 32] image as an 8-bit PNG holds it: round((v + 1) / 2 * 255). */
  static double pngRedMean(float[] image) {
    double sum = 0;
    for (int i = 0; i < 32 * 32; i++) {
      sum += Math.round((Math.max(-1f, Math.min(1f, image[i])) + 1f) * 0.5f * 255f);
    }
    return sum / (32 * 32) / 255.0;
  }

  @Test
  void theOnnxRewardTrainsAndRescoresARun() {
    Path run = tmp.resolve("onnx");
    // mean 0.5, std 0.5: the model reads (p - 0.5) / 0.5 = the clipped tensor value itself
    StorePipelinesTest.ok(geneval(run, "--rewards", "onnx=1", "--onnx_model",
        RewardSettingsCliTest.FIXTURES.resolve("red_mean.onnx").toString(), "--onnx_size", "32", "--onnx_mean", "0.5,0.5,0.5",
        "--onnx_std", "0.5,0.5,0.5", "--onnx_output", "score"));
    StorePipelinesTest.Result r = StorePipelinesTest.ok("rescore", run.toString(), "--reward", "onnx", "--runner", "direct");
    assertTrue(r.out().contains("RESULT rescore_onnx_scored=8") && r.out().contains("RESULT rescore_onnx_failed=0"), r.out());
    storedAndRescoredAre(run, "onnx", YourRewardTrainingTest::clippedRedMean, 1e-5);
  }

  @Test
  void theHttpRewardTrainsAndRescoresARun() {
    Path run = tmp.resolve("http");
    StorePipelinesTest.ok(geneval(run, "--rewards", "http=1", "--http_url", "http://127.0.0.1:" + server.getAddress().getPort() + "/score",
        "--http_batch_size", "1", "--http_concurrency", "2"));
    StorePipelinesTest.Result r = StorePipelinesTest.ok("rescore", run.toString(), "--reward", "http", "--runner", "direct");
    assertTrue(r.out().contains("RESULT rescore_http_scored=8") && r.out().contains("RESULT rescore_http_failed=0"), r.out());
    storedAndRescoredAre(run, "http", YourRewardTrainingTest::pngRedMean, 1e-12);
  }

  /** The doc's example, in a jar of its own, on the class path of fresh JVMs that train toy2d and rescore the run. */
  @Test
  void aRewardInItsOwnJarTrainsAndRescoresARun() throws Exception {
    Path jar = UserRewardJar.build(tmp.resolve("user"));
    Path run = tmp.resolve("brightness");
    fork(jar, "train", "toy2d", "--output_dir", run.toString(), "--runner", "direct", "--epochs", "2", "--prompts_per_epoch", "2",
        "--images_per_prompt", "2", "--optimizer_steps_per_epoch", "1", "--sample_steps", "2", "--eval_samples", "0",
        "--rewards", "brightness=1", "--brightness_target", "2");
    assertTrue(Files.readString(run.resolve("config.yaml")).contains("brightness_target: 2.0"));
    String out = fork(jar, "rescore", run.toString(), "--reward", "brightness", "--runner", "direct");
    assertTrue(out.contains("RESULT rescore_brightness_scored=8"), out);
    // -|mean(x, y) - brightness_target|, the target read back from the run's config.yaml
    storedAndRescoredAre(run, "brightness", point -> -Math.abs((point[0] + (double) point[1]) / 2 - 2.0), 1e-12);

    StorePipelinesTest.Result without = StorePipelinesTest.ram("rescore", run.toString(), "--reward", "brightness", "--runner", "direct");
    assertEquals(2, without.code(), "this JVM never had the jar: " + without.err());
    assertTrue(without.err().contains("unknown reward 'brightness'"), without.err());
  }

  /** Runs ram in a fresh JVM whose class path is the test's plus {@code jar}, as RAM_CLASSPATH gives the launcher's; its output. */
  static String fork(Path jar, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path") + File.pathSeparator + jar, "-Dram.home=" + RunConfigTest.HOME, "-Dai.djl.offline=true",
        "-Djava.awt.headless=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "ram.runners.cli.Main"));
    command.addAll(List.of(args));
    Path log = Files.createTempFile(tmp, "fork", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("DJL_OFFLINE", "true");
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("ram " + String.join(" ", args) + " did not finish: " + Files.readString(log));
    }
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), "ram " + String.join(" ", args) + ":\n" + out);
    return out;
  }
}
