package ram.runners.cluster;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ram.config.RunConfig;

/**
 * The Flink jobs of a run that outlived their driver. On a Flink cluster of its own (not the
 * embedded one, which dies with the driver) a job goes on when the driver is killed, and would go on
 * writing into the run while a rerun starts the same epoch. Each epoch's job is named after its run
 * directory ({@link #jobName}); before its first epoch a rerun asks the cluster's REST API for
 * unfinished jobs of that name, cancels them and waits until they have ended.
 */
public final class OrphanJobs {

  /** Flink's job states after which a job does nothing more. */
  private static final Set<String> TERMINAL = Set.of("FINISHED", "CANCELED", "FAILED");

  private OrphanJobs() {}

  /** Whether the config's jobs run on a Flink cluster that outlives the driver ({@code flink_master: host:port}). */
  public static boolean canOutliveTheDriver(RunConfig config) {
    String master = config.runtime().flinkMaster();
    return config.runtime().runner().equals("flink") && !master.equals("[local]") && !master.equals("[auto]");
  }

  /** The name of an epoch's job: config, epoch and {@link #runTag} of the run directory. */
  public static String jobName(String config, int epoch, Path runRoot) {
    return String.format("ram-%s-epoch-%06d-%s", config, epoch, runTag(runRoot));
  }

  /** {@code run-} and the first 12 hex digits of the SHA-256 of the run directory's absolute path. */
  static String runTag(Path runRoot) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(runRoot.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return "run-" + HexFormat.of().formatHex(digest).substring(0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Cancels every unfinished job on the cluster at {@code master} whose name carries the run's tag
   * and waits until each has ended, printing a line per job; returns how many there were.
   */
  public static int cancel(String master, Path runRoot, PrintStream out, Duration timeout) {
    String base = master.contains("://") ? master : "http://" + master;
    String suffix = "-" + runTag(runRoot);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    List<JsonObject> orphans = new ArrayList<>();
    for (JsonElement j : get(http, base + "/jobs/overview", master).getAsJsonArray("jobs")) {
      JsonObject job = j.getAsJsonObject();
      if (job.get("name").getAsString().endsWith(suffix) && !TERMINAL.contains(job.get("state").getAsString())) {
        orphans.add(job);
      }
    }
    for (JsonObject job : orphans) {
      String id = job.get("jid").getAsString();
      out.printf("Flink job %s (%s) of an earlier driver of this run is %s: cancelling it before the run goes on%n", id,
          job.get("name").getAsString(), job.get("state").getAsString());
      send(http, HttpRequest.newBuilder(URI.create(base + "/jobs/" + id + "?mode=cancel"))
          .method("PATCH", HttpRequest.BodyPublishers.noBody()), master);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    for (JsonObject job : orphans) {
      String id = job.get("jid").getAsString();
      String state = job.get("state").getAsString();
      while (!TERMINAL.contains(state)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Flink job " + id + " of an earlier driver of this run is still " + state + " after "
              + timeout.toSeconds() + " s of cancelling; cancel it at " + base + " and rerun");
        }
        sleep(200);
        state = get(http, base + "/jobs/" + id, master).get("state").getAsString();
      }
      out.printf("Flink job %s is %s%n", id, state);
    }
    return orphans.size();
  }

  private static JsonObject get(HttpClient http, String url, String master) {
    return JsonParser.parseString(send(http, HttpRequest.newBuilder(URI.create(url)).GET(), master)).getAsJsonObject();
  }

  private static String send(HttpClient http, HttpRequest.Builder request, String master) {
    HttpRequest r = request.timeout(Duration.ofSeconds(30)).build();
    try {
      HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException("the Flink cluster at " + master + " answered " + r.method() + " " + r.uri().getPath()
            + " with HTTP " + response.statusCode() + ": " + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException("cannot ask the Flink cluster at " + master + " for this run's jobs (" + r.uri() + "): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
