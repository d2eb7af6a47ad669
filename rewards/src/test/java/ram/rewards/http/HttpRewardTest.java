package ram.rewards.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import ram.rewards.Reward;
import ram.rewards.RewardInput;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardResult;
import ram.rewards.RewardSettings;

/**
 * The {@code http} reward against real HTTP servers on loopback (the JDK's
 * {@code com.sun.net.httpserver}): a good one that decodes each PNG and scores its first pixel's
 * red byte / 255 plus the metadata's {@code bonus}; a slow one (timeout, retried a bounded number of
 * times); one answering 500, one that fails once then answers; malformed JSON; fewer results than
 * samples. Every failure becomes the batch's error records, never an exception.
 */
class HttpRewardTest {

  static HttpServer server;
  static final List<JsonObject> requests = new CopyOnWriteArrayList<>();
  static final AtomicInteger calls = new AtomicInteger();
  static final AtomicInteger inFlight = new AtomicInteger();
  static final AtomicInteger maxInFlight = new AtomicInteger();
  static final AtomicInteger flaky = new AtomicInteger();

  @BeforeAll
  static void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/good", ex -> answer(ex, 200, results(read(ex))));
    server.createContext("/busy", ex -> {
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
      sleep(300);
      inFlight.decrementAndGet();
      answer(ex, 200, results(read(ex)));
    });
    server.createContext("/slow", ex -> {
      read(ex);
      sleep(3000);
      answer(ex, 200, "{\"results\": []}");
    });
    server.createContext("/error500", ex -> {
      read(ex);
      answer(ex, 500, "model server crashed");
    });
    server.createContext("/bad_request", ex -> {
      read(ex);
      answer(ex, 400, "bad request");
    });
    server.createContext("/flaky", ex -> {
      JsonObject body = read(ex);
      if (flaky.getAndIncrement() == 0) {
        answer(ex, 503, "warming up");
      } else {
        answer(ex, 200, results(body));
      }
    });
    server.createContext("/malformed", ex -> {
      read(ex);
      answer(ex, 200, "{\"results\": [{\"score\": 0.5},");
    });
    server.createContext("/fewer", ex -> {
      read(ex);
      answer(ex, 200, "{\"results\": [{\"score\": 0.5}]}");
    });
    server.start();
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static JsonObject read(HttpExchange ex) throws IOException {
    calls.incrementAndGet();
    JsonObject body = JsonParser.parseString(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
    requests.add(body);
    return body;
  }

  static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    ex.close();
  }

  /** The good server's rule: first pixel's red byte / 255 (+ metadata.bonus); a point scores its sum; prompt "refuse" is refused. */
  static String results(JsonObject request) throws IOException {
    JsonArray out = new JsonArray();
    for (JsonElement e : request.getAsJsonArray("samples")) {
      JsonObject s = e.getAsJsonObject();
      JsonObject r = new JsonObject();
      if (s.get("prompt").getAsString().equals("refuse")) {
        r.addProperty("error", "no face found");
      } else if (s.has("image")) {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(s.get("image").getAsString())));
        double bonus = s.get("metadata").isJsonObject() ? s.getAsJsonObject("metadata").get("bonus").getAsDouble() : 0;
        r.addProperty("score", ((image.getRGB(0, 0) >> 16) & 0xFF) / 255.0 + bonus);
      } else {
        double sum = 0;
        for (JsonElement v : s.getAsJsonArray("values")) {
          sum += v.getAsDouble();
        }
        r.addProperty("score", sum);
      }
      out.add(r);
    }
    JsonObject body = new JsonObject();
    body.add("results", out);
    return body.toString();
  }

  static Reward reward(String path, Object... keyValues) {
    RewardSettings s = RewardSettings.of(Map.of("http_url", "http://127.0.0.1:" + server.getAddress().getPort() + path));
    for (int i = 0; i < keyValues.length; i += 2) {
      s = s.with((String) keyValues[i], keyValues[i + 1]);
    }
    return RewardRegistry.create("http", s);
  }

  /** A 2 x 2 image whose red channel is {@code red} everywhere. */
  static RewardInput image(String id, float red, String prompt, String metadata) {
    float[] data = {red, red, red, red, 0, 0, 0, 0, 0, 0, 0, 0};
    return new RewardInput(id, data, new int[] {3, 2, 2}, prompt, metadata);
  }

  static List<RewardInput> twoImages() {
    return List.of(image("a", 1f, "x", null), image("b", -1f, "y", null));
  }

  @Test
  void aGoodServerScoresEachSampleAndSeesImagesPromptsAndMetadata() {
    requests.clear();
    List<RewardResult> r;
    try (Reward http = reward("/good")) {
      assertTrue(http.version().matches("1;http://127\\.0\\.0\\.1:\\d+/good"), http.version());
      float[] nan = {Float.NaN, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
      r = http.score(List.of(image("a", 0.2f, "a red circle", "{\"bonus\": 10}"), image("b", -1f, "refuse", null),
          new RewardInput("p", new float[] {1.5f, 2f}, new int[] {2}, "", null),
          new RewardInput("nan", nan, new int[] {3, 2, 2}, "", null)));
    }
    // red 0.2 -> byte round(0.6 * 255) = 153 -> 0.6 + bonus 10
    assertEquals(153 / 255.0 + 10, r.get(0).value(), 1e-9);
    assertEquals(RewardResult.failed("http: http://127.0.0.1:" + server.getAddress().getPort() + "/good: the server: no face found"), r.get(1));
    assertEquals(3.5, r.get(2).value(), 1e-6);
    assertTrue(!r.get(3).ok() && r.get(3).error().startsWith("http: sample nan: non-finite pixel value NaN"), r.get(3).toString());
    assertEquals(1, requests.size(), "one request for the batch; the NaN sample is never sent");
    JsonObject first = requests.get(0).getAsJsonArray("samples").get(0).getAsJsonObject();
    assertEquals(1, requests.get(0).get("protocol").getAsInt());
    assertEquals("a", first.get("id").getAsString());
    assertEquals("a red circle", first.get("prompt").getAsString());
    assertEquals(10, first.getAsJsonObject("metadata").get("bonus").getAsInt());
    assertEquals("[3,2,2]", first.get("shape").toString());
    assertEquals(3, requests.get(0).getAsJsonArray("samples").size());
  }

  @Test
  void batchesAreSplitAndSentConcurrentlyUpToTheLimit() {
    List<RewardInput> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(image("s" + i, -1f + i * 0.5f, "p" + i, null));
    }
    for (int concurrency : new int[] {1, 3}) {
      requests.clear();
      maxInFlight.set(0);
      List<RewardResult> r;
      try (Reward http = reward("/busy", "http_batch_size", 2, "http_concurrency", concurrency)) {
        r = http.score(five);
      }
      assertEquals(3, requests.size(), "5 samples in batches of 2");
      assertEquals(List.of(2, 2, 1), requests.stream().map(q -> q.getAsJsonArray("samples").size()).sorted((a, b) -> b - a).toList());
      for (int i = 0; i < 5; i++) { // red -1 + 0.5 i -> byte round(i * 0.25 * 255); results in the input's order
        assertEquals(Math.round(i * 0.25f * 255f) / 255.0, r.get(i).value(), 1e-9, "sample " + i);
      }
      if (concurrency == 1) {
        assertEquals(1, maxInFlight.get());
      } else {
        assertTrue(maxInFlight.get() > 1 && maxInFlight.get() <= 3, "in flight at once: " + maxInFlight.get());
      }
    }
  }

  @Test
  void aSlowServerTimesOutAfterBoundedRetries() {
    calls.set(0);
    long t0 = System.nanoTime();
    List<RewardResult> r;
    try (Reward http = reward("/slow", "http_timeout_seconds", 0.3, "http_retries", 1)) {
      r = http.score(twoImages());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/slow";
    for (RewardResult result : r) {
      assertEquals("http: " + url + " no answer within http_timeout_seconds 0.3 (after 2 tries)", result.error());
    }
    assertEquals(2, calls.get(), "one try and one retry");
    assertTrue(seconds < 2.5, "two timeouts of 0.3 s and a pause of 0.25 s, not the server's 3 s: " + seconds);
  }

  @Test
  void aServerAnswering500IsRetriedThenEverySampleIsAnError() {
    calls.set(0);
    List<RewardResult> r;
    try (Reward http = reward("/error500", "http_retries", 2)) {
      r = http.score(twoImages());
    }
    assertEquals(3, calls.get());
    String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/error500";
    assertEquals(List.of(RewardResult.failed("http: " + url + " answered HTTP 500: model server crashed (after 3 tries)"),
        RewardResult.failed("http: " + url + " answered HTTP 500: model server crashed (after 3 tries)")), r);

    calls.set(0);
    try (Reward http = reward("/bad_request", "http_retries", 2)) {
      r = http.score(twoImages());
    }
    assertEquals(1, calls.get(), "a 400 is not retried");
    assertTrue(r.get(0).error().contains("answered HTTP 400: bad request"), r.get(0).error());

    flaky.set(0);
    try (Reward http = reward("/flaky", "http_retries", 1)) {
      r = http.score(twoImages());
    }
    assertEquals(List.of(1.0, 0.0), r.stream().map(RewardResult::value).toList(), "the retry after a 503 is answered");
  }

  @Test
  void malformedJsonAndFewerResultsThanSamplesFailTheBatch() {
    String base = "http: http://127.0.0.1:" + server.getAddress().getPort();
    calls.set(0);
    List<RewardResult> r;
    try (Reward http = reward("/malformed", "http_retries", 2)) {
      r = http.score(twoImages());
    }
    assertEquals(1, calls.get(), "malformed JSON is not retried");
    for (RewardResult result : r) {
      assertTrue(result.error().startsWith(base + "/malformed malformed JSON in the response ("), result.error());
      assertTrue(result.error().endsWith("): {\"results\": [{\"score\": 0.5},"), result.error());
    }
    try (Reward http = reward("/fewer")) {
      r = http.score(twoImages());
    }
    assertEquals(List.of(RewardResult.failed(base + "/fewer the response has 1 results for 2 samples"),
        RewardResult.failed(base + "/fewer the response has 1 results for 2 samples")), r);
  }

  @Test
  void noServerAtTheUrlAndBadUrls() {
    List<RewardResult> r;
    try (Reward http = RewardRegistry.create("http", RewardSettings.of(Map.of("http_url", "http://127.0.0.1:1/score",
        "http_retries", 0, "http_timeout_seconds", 2.0)))) {
      r = http.score(twoImages());
    }
    assertFalse(r.get(0).ok());
    assertTrue(r.get(0).error().startsWith("http: http://127.0.0.1:1/score cannot reach it: java.net.ConnectException"), r.get(0).error());
    for (String bad : List.of("ftp://host/score", "127.0.0.1:8000", "http://")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> RewardRegistry.create("http", RewardSettings.of(Map.of("http_url", bad))));
      assertTrue(e.getMessage().startsWith("reward 'http': http_url '" + bad + "'"), e.getMessage());
    }
    IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> RewardRegistry.create("http"));
    assertEquals("reward 'http': needs http_url, the scoring server's URL (docs/your-reward.md)", none.getMessage());
  }

  @Test
  void aResultThatIsNeitherScoreNorErrorFailsItsSampleAlone() {
    List<RewardResult> r = HttpRewardProtocol.results("{\"results\": [{\"score\": 1.5}, {\"score\": \"high\"}, {}, {\"error\": \"blurry\"}]}", 4);
    assertEquals(1.5, r.get(0).value());
    assertEquals("expected {\"score\": number} or {\"error\": text}, got {\"score\":\"high\"}", r.get(1).error());
    assertEquals("expected {\"score\": number} or {\"error\": text}, got {}", r.get(2).error());
    assertEquals("the server: blurry", r.get(3).error());
    assertThrows(IllegalArgumentException.class, () -> HttpRewardProtocol.results("[1, 2]", 2));
  }
}
