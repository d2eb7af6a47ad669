package ram.runners.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

/**
 * One Flink mini-cluster in the driver's JVM, kept alive for a whole run, so that each epoch's
 * pipeline is a job submitted over loopback REST instead of a local cluster built and torn down
 * per epoch (docs/stack.md: about 1 s instead of 3-4 s per pipeline, and flat memory).
 *
 * <p>The job stages only an empty jar: every class, and the native libraries behind DJL, come
 * from the driver's classpath, loaded once. The REST endpoint also serves Flink's web dashboard
 * ({@code flink-runtime-web} is on the classpath) at {@link #dashboardUrl}, on loopback only.
 */
public final class EmbeddedFlinkCluster implements AutoCloseable {

  private final MiniCluster cluster;
  private final String master;
  private final Path jar;

  private EmbeddedFlinkCluster(MiniCluster cluster, String master, Path jar) {
    this.cluster = cluster;
    this.master = master;
    this.jar = jar;
  }

  /**
   * Starts a cluster with one TaskManager of {@code slots} slots. Every listener (REST, blob
   * server; RPC and data exchange stay in-process) is bound to the loopback address, and REST
   * admits no cross-origin request: only the driver submits to it, and a browser on this host
   * shows the dashboard.
   */
  public static EmbeddedFlinkCluster start(int slots) {
    Configuration conf = Configuration.fromMap(listenerKeys(LOOPBACK, LOOPBACK));
    conf.set(RestOptions.ADDRESS, LOOPBACK);
    conf.set(RestOptions.BIND_PORT, "0");
    conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slots);
    MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
        .setNumTaskManagers(1).setNumSlotsPerTaskManager(slots).build());
    try {
      cluster.start();
      int port = cluster.getRestAddress().get().getPort();
      awaitRestLeader(LOOPBACK + ":" + port);
      return new EmbeddedFlinkCluster(cluster, LOOPBACK + ":" + port, emptyJar());
    } catch (Exception e) {
      try {
        cluster.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw new IllegalStateException("cannot start the embedded Flink cluster: " + e, e);
    }
  }

  /**
   * Waits until REST answers {@code /overview}: a started cluster's endpoint first answers 503
   * ("ongoing leader election") for a moment, and the dashboard's address is printed right away.
   */
  private static void awaitRestLeader(String master) throws InterruptedException {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest overview = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + master + "/overview"))
        .timeout(java.time.Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + REST_LEADER_TIMEOUT.toNanos();
    int status = 0;
    while (System.nanoTime() < deadline) {
      try {
        status = http.send(overview, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status == 200) {
          return;
        }
      } catch (IOException e) {
        status = -1;
      }
      Thread.sleep(50);
    }
    throw new IllegalStateException("its REST endpoint http://" + master + "/overview did not answer within "
        + REST_LEADER_TIMEOUT.toSeconds() + " s (last status " + status + ")");
  }

  private static final java.time.Duration REST_LEADER_TIMEOUT = java.time.Duration.ofSeconds(60);

  /**
   * The Flink keys that place every listener of a cluster: REST, the JobManager's RPC and blob
   * server ({@code jobmanager.bind-host}; the blob server binds to every address without it), the
   * TaskManagers' RPC and data exchange, the address TaskManagers advertise, REST's cross-origin
   * policy, and no jar upload through the dashboard (a form on any web page could post a jar to a
   * loopback port without asking; running it would run its code in the cluster). One table for
   * the embedded cluster, the per-pipeline one and the session cluster.
   */
  static java.util.Map<String, String> listenerKeys(String bindHost, String advertised) {
    java.util.Map<String, String> keys = new java.util.LinkedHashMap<>();
    keys.put(RestOptions.BIND_ADDRESS.key(), bindHost);
    keys.put(JobManagerOptions.BIND_HOST.key(), bindHost);
    keys.put(TaskManagerOptions.BIND_HOST.key(), bindHost);
    keys.put(TaskManagerOptions.HOST.key(), advertised);
    keys.put(WebOptions.ACCESS_CONTROL_ALLOW_ORIGIN.key(), NO_ORIGIN);
    keys.put(WebOptions.SUBMIT_ENABLE.key(), "false");
    return keys;
  }

  /** {@link #listenerKeys} as lines of a {@code flink-conf.yaml}. */
  static java.util.List<String> listenerLines(String bindHost, String advertised) {
    return listenerKeys(bindHost, advertised).entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList();
  }

  /** The address every listener of ram's Flink clusters binds to unless told otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  /**
   * The value of Flink's {@code web.access-control-allow-origin} (default {@code *}: any web page
   * may read the REST answers) that admits no web page: an origin under {@code .invalid}, a
   * top-level domain reserved never to exist (RFC 2606). Flink sends the value as it is, and its
   * configuration file takes no empty value.
   */
  static final String NO_ORIGIN = "http://no-origin.invalid";

  /**
   * A jar with no classes (one per JVM), staged with jobs for clusters whose classpath already
   * holds the project's classes and native libraries.
   */
  static synchronized Path emptyJar() {
    if (emptyJar != null && Files.exists(emptyJar)) {
      return emptyJar;
    }
    try {
      Path jar = Files.createTempFile("ram-job-", ".jar");
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
      try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
        // no entries: the classes come from the cluster's classpath
      }
      jar.toFile().deleteOnExit();
      emptyJar = jar;
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the job jar: " + e.getMessage(), e);
    }
  }

  private static Path emptyJar;

  /** {@code host:port} to submit to. */
  public String master() {
    return master;
  }

  /** Where a browser on this host opens Flink's web dashboard: jobs, their stages, TaskManagers. */
  public String dashboardUrl() {
    return "http://" + master + "/";
  }

  /** The jar to stage with each job (empty). */
  public String stagedJar() {
    return jar.toString();
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the embedded Flink cluster: " + e, e);
    }
  }
}
