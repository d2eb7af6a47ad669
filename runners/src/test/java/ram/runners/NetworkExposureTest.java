package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.RunConfig;
import ram.runners.cluster.EmbeddedFlinkCluster;
import ram.runners.cluster.FlinkSessionCluster;
import ram.runners.cluster.Runners;

/**
 * Every listening socket of the embedded Flink cluster and of a local session cluster is bound to
 * the loopback address, found from the kernel's socket tables ({@code /proc/net/tcp} and {@code
 * tcp6}) and the processes' open sockets, and the REST endpoint allows no cross-origin request.
 */
class NetworkExposureTest {

  @TempDir Path tmp;

  /** One listening TCP socket: its local address, port and socket inode. */
  record Listener(InetAddress address, int port, long inode) {
    @Override
    public String toString() {
      return address.getHostAddress() + ":" + port;
    }
  }

  @Test
  void theEmbeddedClustersListenersAreAllOnLoopbackAndRestAllowsNoOtherOrigin() throws Exception {
    Set<Listener> before = new HashSet<>(listenersOf(ProcessHandle.current().pid()));
    try (EmbeddedFlinkCluster cluster = EmbeddedFlinkCluster.start(2)) {
      List<Listener> opened = new ArrayList<>(listenersOf(ProcessHandle.current().pid()));
      opened.removeAll(before);
      System.out.println("embedded Flink cluster listens on " + opened);
      int restPort = Integer.parseInt(cluster.master().substring(cluster.master().lastIndexOf(':') + 1));
      assertLoopbackOnly(opened, restPort);
      assertNoCrossOriginAllowed(cluster.master());
    }
  }

  /**
   * The store pipelines ({@code rescore}, {@code export}, {@code evaluate}) run on a local cluster
   * that Beam builds for the one pipeline: seen from inside the pipeline while it runs, its
   * listeners are on loopback too, and the one that answers HTTP (REST) admits no foreign origin.
   */
  @Test
  void aPipelinesOwnLocalClusterListensOnLoopbackOnly() throws Exception {
    Set<Listener> before = new HashSet<>(listenersOf(ProcessHandle.current().pid()));
    RunConfig store = RunConfig.load(RunConfigTest.HOME.resolve("configs/store.yaml"), java.util.Map.of());
    assertEquals("[local]", store.runtime().flinkMaster());
    Path seen = tmp.resolve("listeners.txt");
    Pipeline p = Pipeline.create(Runners.options(store, "ram-listeners", null));
    p.apply(Create.of(1)).apply(ParDo.of(new RecordListeners(seen.toString())));
    assertEquals(PipelineResult.State.DONE, Runners.runToEnd(p));
    List<Listener> opened = new ArrayList<>();
    List<String> allowedOrigins = new ArrayList<>();
    for (String line : Files.readAllLines(seen)) {
      String[] f = line.split(" ", 4);
      Listener l = new Listener(InetAddress.getByName(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]));
      if (!before.contains(l)) {
        opened.add(l);
        if (!f[3].startsWith("no-http")) {
          allowedOrigins.add(f[3]);
        }
      }
    }
    System.out.println("a pipeline's own local cluster listens on " + opened + "; Access-Control-Allow-Origin " + allowedOrigins
        + "\n" + Files.readString(seen));
    assertFalse(opened.isEmpty(), "the local cluster opened no listener");
    for (Listener l : opened) {
      assertTrue(l.address().isLoopbackAddress(), "non-loopback listener " + l + " among " + opened);
    }
    assertEquals(1, allowedOrigins.size(), "one listener answers HTTP: " + allowedOrigins);
    assertFalse(allowedOrigins.get(0).equals("*") || allowedOrigins.get(0).equals("http://evil.example"), allowedOrigins.get(0));
  }

  /**
   * Writes the listeners of its JVM to a file, a line {@code address port inode allowed-origin}
   * each, where the last is the Access-Control-Allow-Origin that the listener gives {@code
   * http://evil.example} over HTTP ({@code none} without one, {@code no-http} if it gives no HTTP answer).
   */
  static final class RecordListeners extends DoFn<Integer, Integer> {
    private final String file;

    RecordListeners(String file) {
      this.file = file;
    }

    @ProcessElement
    public void process(@Element Integer x) throws IOException, InterruptedException {
      StringBuilder text = new StringBuilder();
      HttpClient http = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(10)).build();
      for (Listener l : listenersOf(ProcessHandle.current().pid())) {
        String origin;
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + l.port() + "/overview"))
              .header("Origin", "http://evil.example").timeout(java.time.Duration.ofSeconds(10)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
          origin = r.headers().firstValue("Access-Control-Allow-Origin").orElse("none");
        } catch (IOException e) {
          origin = "no-http " + e;
        }
        text.append(l.address().getHostAddress()).append(' ').append(l.port()).append(' ').append(l.inode()).append(' ')
            .append(origin).append('\n');
      }
      Files.writeString(Path.of(file), text);
    }
  }

  @Test
  void aSessionClustersListenersAreAllOnLoopbackAndRestAllowsNoOtherOrigin() throws Exception {
    FlinkSessionCluster cluster = new FlinkSessionCluster(tmp.resolve("flink"));
    PrintStream log = new PrintStream(new ByteArrayOutputStream(), true);
    try {
      cluster.start(1, 1, 0, log);
      List<Listener> all = new ArrayList<>();
      List<ProcessHandle> processes = cluster.alivePids(log);
      assertEquals(2, processes.size(), "a JobManager and a TaskManager");
      for (ProcessHandle p : processes) {
        all.addAll(listenersOf(p.pid()));
      }
      System.out.println("session cluster listens on " + all);
      int restPort = Integer.parseInt(cluster.master().substring(cluster.master().lastIndexOf(':') + 1));
      assertLoopbackOnly(all, restPort);
      assertTrue(all.size() >= 4, "JobManager RPC, REST, blob server and TaskManager RPC at least: " + all);
      assertNoCrossOriginAllowed(cluster.master());
    } finally {
      cluster.stop(log);
    }
  }

  /** At least the REST listener is among {@code listeners}, and none is bound to anything but loopback. */
  static void assertLoopbackOnly(List<Listener> listeners, int restPort) {
    assertTrue(listeners.stream().anyMatch(l -> l.port() == restPort), "the REST listener on port " + restPort + " is not among " + listeners);
    for (Listener l : listeners) {
      assertFalse(l.address().isAnyLocalAddress(), "wildcard listener " + l + " among " + listeners);
      assertTrue(l.address().isLoopbackAddress(), "non-loopback listener " + l + " among " + listeners);
    }
  }

  /** A request from a foreign origin gets no Access-Control-Allow-Origin that admits it. */
  static void assertNoCrossOriginAllowed(String master) throws Exception {
    HttpResponse<String> r;
    long deadline = System.currentTimeMillis() + 30_000;
    do { // 503 while the just started cluster elects its leader
      Thread.sleep(100);
      r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + master + "/overview"))
          .header("Origin", "http://evil.example").GET().build(), HttpResponse.BodyHandlers.ofString());
    } while (r.statusCode() == 503 && System.currentTimeMillis() < deadline);
    assertEquals(200, r.statusCode(), r.body());
    Optional<String> allowed = r.headers().firstValue("Access-Control-Allow-Origin");
    System.out.println("Access-Control-Allow-Origin for http://evil.example: " + allowed);
    assertTrue(allowed.isEmpty() || !allowed.get().equals("*") && !allowed.get().equals("http://evil.example"),
        "REST admits a foreign origin: " + allowed);
  }

  /** The TCP sockets in state LISTEN that process {@code pid} holds open. */
  static List<Listener> listenersOf(long pid) throws IOException {
    Set<Long> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(Long.parseLong(target.substring("socket:[".length(), target.length() - 1)));
          }
        } catch (NoSuchFileException e) {
          // closed while listing
        }
      }
    }
    List<Listener> out = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) { // after the header
        String[] f = line.strip().split("\\s+");
        long inode = Long.parseLong(f[9]);
        if (f[3].equals("0A") && inodes.contains(inode)) {
          String[] local = f[1].split(":");
          out.add(new Listener(address(local[0]), Integer.parseInt(local[1], 16), inode));
        }
      }
    }
    return out;
  }

  /**
   * An address as the kernel prints it: 4 or 16 bytes in hex, each 32-bit word in the host's
   * (little-endian) byte order.
   */
  static InetAddress address(String hex) throws IOException {
    byte[] bytes = new byte[hex.length() / 2];
    for (int word = 0; word < bytes.length / 4; word++) {
      for (int b = 0; b < 4; b++) {
        bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(word * 8 + (3 - b) * 2, word * 8 + (3 - b) * 2 + 2), 16);
      }
    }
    return InetAddress.getByAddress(bytes);
  }

  @Test
  void kernelAddressesDecodeAsWritten() throws IOException {
    assertEquals("127.0.0.1", address("0100007F").getHostAddress());
    assertEquals("0.0.0.0", address("00000000").getHostAddress());
    assertEquals("0:0:0:0:0:0:0:1", address("00000000000000000000000001000000").getHostAddress());
    assertEquals("127.0.0.1", address("0000000000000000FFFF00000100007F").getHostAddress()); // ::ffff:127.0.0.1
    assertEquals("0:0:0:0:0:0:0:0", address("00000000000000000000000000000000").getHostAddress());
  }
}
