package ram.rewards.http;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import ram.rewards.Reward;
import ram.rewards.RewardInput;
import ram.rewards.RewardProvider;
import ram.rewards.RewardResult;
import ram.rewards.RewardSetting;
import ram.rewards.RewardSettings;

/**
 * The {@code http} reward: a scoring server of the user's, in any language, behind a URL. Each
 * batch of at most {@code http_batch_size} samples is POSTed as JSON ({@link HttpRewardProtocol}),
 * up to {@code http_concurrency} batches at a time per reward instance (one instance per worker).
 * A connection failure, a timeout, or an answer 429 or 5xx is retried {@code http_retries} times
 * with doubling pauses (0.25 s, 0.5 s, ... at most 8 s); any other failure, and the last retry's,
 * turns the batch's samples into error records naming the URL and the cause. Never fails a run by
 * itself: the epoch's {@code max_reward_failures} decides.
 */
public final class HttpReward implements Reward {

  public static final String NAME = "http";
  /** The longest pause between two tries of one batch. */
  static final Duration MAX_BACKOFF = Duration.ofSeconds(8);

  private final URI url;
  private final Duration timeout;
  private final int retries;
  private final int batchSize;
  private final HttpClient client;
  private final ExecutorService pool;

  /** The reward of {@code settings}' {@code http_*} keys (defaults filled in). */
  public HttpReward(RewardSettings settings) {
    String written = settings.string("http_url");
    try {
      url = new URI(written);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("http_url '" + written + "' is not a URL: " + e.getMessage());
    }
    if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
      throw new IllegalArgumentException("http_url '" + written + "': expected http://host[:port]/path or https://...");
    }
    timeout = Duration.ofMillis(Math.max(1, Math.round(settings.number("http_timeout_seconds") * 1000)));
    retries = settings.integer("http_retries");
    batchSize = settings.integer("http_batch_size");
    int concurrency = settings.integer("http_concurrency");
    client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    pool = Executors.newFixedThreadPool(concurrency, r -> {
      Thread t = new Thread(r, "ram-http-reward");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The protocol's version and the URL: which server scored a stored record. */
  @Override
  public String version() {
    return "1;" + url;
  }

  @Override
  public List<RewardResult> score(List<RewardInput> batch) {
    RewardResult[] results = new RewardResult[batch.size()];
    List<Integer> sent = new ArrayList<>();
    List<JsonObject> encoded = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      try {
        encoded.add(HttpRewardProtocol.sample(batch.get(i)));
        sent.add(i);
      } catch (RuntimeException e) {
        results[i] = RewardResult.failed(NAME + ": sample " + batch.get(i).sampleId() + ": " + e.getMessage());
      }
    }
    List<Future<List<RewardResult>>> futures = new ArrayList<>();
    for (int start = 0; start < sent.size(); start += batchSize) {
      List<JsonObject> chunk = encoded.subList(start, Math.min(sent.size(), start + batchSize));
      futures.add(pool.submit(() -> post(chunk)));
    }
    for (int c = 0; c < futures.size(); c++) {
      List<RewardResult> chunkResults;
      try {
        chunkResults = futures.get(c).get();
      } catch (ExecutionException e) {
        chunkResults = failAll(Math.min(batchSize, sent.size() - c * batchSize), String.valueOf(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        chunkResults = failAll(Math.min(batchSize, sent.size() - c * batchSize), "interrupted");
      }
      for (int k = 0; k < chunkResults.size(); k++) {
        results[sent.get(c * batchSize + k)] = chunkResults.get(k);
      }
    }
    return Arrays.asList(results);
  }

  /** One batch's results: the server's, or one error for every sample after the last try. */
  private List<RewardResult> post(List<JsonObject> samples) {
    HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(HttpRewardProtocol.request(samples))).build();
    String failure = null;
    for (int attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0 && !pause(attempt)) {
        return failAll(samples.size(), failure + " (interrupted before retry " + attempt + ")");
      }
      boolean retryable;
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        int status = response.statusCode();
        if (status == 200) {
          try {
            List<RewardResult> parsed = HttpRewardProtocol.results(response.body(), samples.size());
            List<RewardResult> named = new ArrayList<>(parsed.size());
            parsed.forEach(r -> named.add(r.ok() ? r : RewardResult.failed(NAME + ": " + url + ": " + r.error())));
            return named;
          } catch (IllegalArgumentException e) {
            return failAll(samples.size(), e.getMessage());
          }
        }
        failure = "answered HTTP " + status + ": " + HttpRewardProtocol.excerpt(response.body());
        retryable = status == 429 || status >= 500;
      } catch (HttpTimeoutException e) {
        failure = "no answer within http_timeout_seconds " + timeout.toMillis() / 1000.0;
        retryable = true;
      } catch (IOException e) {
        failure = "cannot reach it: " + e;
        retryable = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return failAll(samples.size(), "interrupted");
      }
      if (!retryable) {
        break;
      }
    }
    return failAll(samples.size(), failure + (retries > 0 ? " (after " + (retries + 1) + " tries)" : ""));
  }

  /** Sleeps before try {@code attempt} (1-based retry); false when interrupted. */
  private static boolean pause(int attempt) {
    long millis = Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(attempt - 1, 20));
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private List<RewardResult> failAll(int count, String why) {
    List<RewardResult> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(RewardResult.failed(String.format(Locale.ROOT, "%s: %s %s", NAME, url, why)));
    }
    return out;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  /** Registers {@value #NAME} and its settings. */
  public static final class Provider implements RewardProvider {

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public List<RewardSetting> settings() {
      return List.of(
          RewardSetting.of("http_url", RewardSetting.Kind.STRING, null, "rewards: http: the scoring server's URL; each batch is "
              + "POSTed there as JSON (docs/your-reward.md)"),
          RewardSetting.of("http_timeout_seconds", RewardSetting.Kind.POSITIVE_DOUBLE, 30.0, "rewards: http: the longest wait "
              + "for one answer").executionOnly(),
          RewardSetting.count("http_retries", RewardSetting.Kind.NON_NEGATIVE_INT, 10, 2, "rewards: http: retries of a batch "
              + "after a timeout, a lost connection or an answer 429/5xx, with doubling pauses from 0.25 s").executionOnly(),
          RewardSetting.count("http_batch_size", RewardSetting.Kind.POSITIVE_INT, 100_000, 16, "rewards: http: samples per "
              + "request").executionOnly(),
          RewardSetting.count("http_concurrency", RewardSetting.Kind.POSITIVE_INT, 1024, 2, "rewards: http: requests in flight "
              + "at once per worker").executionOnly());
    }

    @Override
    public Reward create(RewardSettings settings) {
      if (!settings.has("http_url")) {
        throw new IllegalArgumentException("needs http_url, the scoring server's URL (docs/your-reward.md)");
      }
      return new HttpReward(settings);
    }
  }
}
