package ram.runners.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ram.config.ConfigException;
import ram.model.NativeMemory;
import ram.runners.train.RunDirectory;

/**
 * A local Flink 1.19 session cluster started from the project's own jars: one JobManager and N
 * TaskManagers, each a separate JVM, with the whole project classpath (Beam, DJL and its native
 * libraries, ONNX Runtime, the project's classes) on the cluster classpath, so jobs stage only an
 * empty jar and native libraries are loaded once per TaskManager. State (config, pids, logs)
 * lives in one directory, {@code outputs/flink} by default.
 */
public final class FlinkSessionCluster {

  private static final String OPENS = "--add-exports=java.base/sun.net.util=ALL-UNNAMED "
      + "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED "
      + "--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED "
      + "--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED "
      + "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED "
      + "--add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED "
      + "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED "
      + "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED";

  /** What {@code /overview} says. */
  public record Overview(String version, int taskManagers, int slots, int jobsRunning, int jobsFinished, int jobsFailed) {}

  private final Path dir;

  public FlinkSessionCluster(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  public Path dir() {
    return dir;
  }

  /** {@code <rest address>:<rest port>} of a started cluster. */
  public String master() {
    String host = confValue("rest.address");
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + confValue("rest.port");
  }

  /** {@link #start(int, int, int, String, PrintStream)} with every listener on the loopback address. */
  public Overview start(int taskManagers, int slots, int restPort, PrintStream out) {
    return start(taskManagers, slots, restPort, EmbeddedFlinkCluster.LOOPBACK, out);
  }

  /**
   * Starts JobManager and {@code taskManagers} TaskManagers of {@code slots} slots each and waits
   * until all have registered. Every listener (REST, RPC, blob server, data exchange) binds to
   * {@code bindHost}, and REST admits no cross-origin request. Refuses if this directory's cluster
   * is already running.
   */
  public Overview start(int taskManagers, int slots, int restPort, String bindHost, PrintStream out) {
    if (!alivePids(out).isEmpty()) {
      throw new ConfigException("a Flink cluster from " + dir + " is already running (" + master() + "); ./ram flink stop first");
    }
    // the address the processes and clients reach each other at: the bound one, or loopback where all are bound
    String advertised = isWildcard(bindHost) ? EmbeddedFlinkCluster.LOOPBACK : bindHost;
    RunDirectory.deleteTree(dir.resolve("run"));
    try {
      Files.createDirectories(dir.resolve("conf"));
      Files.createDirectories(dir.resolve("log"));
      Files.createDirectories(dir.resolve("run"));
      int port = restPort > 0 ? restPort : freePort();
      int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / (taskManagers * slots));
      List<String> conf = new ArrayList<>(EmbeddedFlinkCluster.listenerLines(bindHost, advertised));
      conf.addAll(List.of(
          "jobmanager.rpc.address: " + advertised,
          "jobmanager.rpc.port: " + freePort(),
          "jobmanager.memory.process.size: 1024m",
          "taskmanager.memory.process.size: 4096m",
          // libtorch inputs pass through direct buffers that only a GC frees: the U-Net's gradient stage
          // outgrew Flink's default direct-memory limit (about 400 MB at 3 GB per TaskManager)
          "taskmanager.memory.task.off-heap.size: 1024m",
          "taskmanager.memory.managed.fraction: 0.1",
          "taskmanager.numberOfTaskSlots: " + slots,
          "parallelism.default: 1",
          "rest.address: " + advertised,
          "rest.port: " + port,
          "cluster.registration.error-delay: 1000",
          "classloader.check-leaked-classloader: false",
          ""));
      Files.writeString(dir.resolve("conf/flink-conf.yaml"), String.join("\n", conf), StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("conf/engine-threads"), Integer.toString(threads));
      String classpath = System.getProperty("java.class.path");
      List<String> jm = resourceParams("GET_JM_RESOURCE_PARAMS", classpath);
      List<String> tm = resourceParams("GET_TM_RESOURCE_PARAMS", classpath);
      launch("jobmanager", jm, classpath, "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", threads);
      for (int i = 0; i < taskManagers; i++) {
        launch("taskmanager-" + i, tm, classpath, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", threads);
      }
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (System.nanoTime() < deadline) {
        Optional<Overview> o = overview();
        if (o.isPresent() && o.get().taskManagers() >= taskManagers && o.get().slots() >= taskManagers * slots) {
          return o.get();
        }
        if (alivePids(out).size() < 1 + taskManagers) {
          break;
        }
        Thread.sleep(500);
      }
      stop(out);
      throw new IllegalStateException("the Flink cluster did not come up within 120 s; logs in " + dir.resolve("log"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a Flink cluster in " + dir + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Stops every process this directory's cluster started; returns how many were running. A pid
   * file whose process is gone or is another program's is discarded, never signalled.
   */
  public int stop(PrintStream out) {
    List<ProcessHandle> alive = alivePids(out);
    alive.forEach(ProcessHandle::destroy);
    for (ProcessHandle p : alive) {
      try {
        p.onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        p.destroyForcibly();
      }
    }
    RunDirectory.deleteTree(dir.resolve("run"));
    return alive.size();
  }

  /** The cluster's overview over REST, if it answers. */
  public Optional<Overview> overview() {
    if (!Files.exists(dir.resolve("conf/flink-conf.yaml"))) {
      return Optional.empty();
    }
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + master() + "/overview").toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(2000);
      try (InputStream in = c.getInputStream()) {
        JsonObject o = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        return Optional.of(new Overview(o.get("flink-version").getAsString(), o.get("taskmanagers").getAsInt(),
            o.get("slots-total").getAsInt(), o.get("jobs-running").getAsInt(), o.get("jobs-finished").getAsInt(),
            o.get("jobs-failed").getAsInt()));
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * The processes of this cluster that are alive and still the ones it started (same start time
   * and command line); a pid file of a process that is gone or now another program's is deleted,
   * saying so on {@code out}.
   */
  public List<ProcessHandle> alivePids(PrintStream out) {
    List<ProcessHandle> alive = new ArrayList<>();
    Path run = dir.resolve("run");
    if (!Files.isDirectory(run)) {
      return alive;
    }
    List<Path> pidFiles;
    try (Stream<Path> files = Files.list(run)) {
      pidFiles = files.filter(p -> p.toString().endsWith(".pid")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the pid files in " + run + ": " + e.getMessage(), e);
    }
    for (Path f : pidFiles) {
      StartedProcess started = StartedProcess.read(f);
      Optional<String> mismatch = started == null ? Optional.of("it records no process") : started.differenceFromLive();
      if (mismatch.isEmpty()) {
        alive.add(ProcessHandle.of(started.pid()).orElseThrow());
      } else {
        out.println("discarding " + f + ": " + mismatch.get());
        try {
          Files.deleteIfExists(f);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + f + ": " + e.getMessage(), e);
        }
      }
    }
    return alive;
  }

  private String confValue(String key) {
    try {
      for (String line : Files.readAllLines(dir.resolve("conf/flink-conf.yaml"))) {
        if (line.startsWith(key + ":")) {
          return line.substring(key.length() + 1).strip();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(dir + "/conf/flink-conf.yaml has no " + key);
  }

  static boolean isWildcard(String host) {
    try {
      return InetAddress.getByName(host).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** JVM options and dynamic properties computed by Flink's BashJavaUtils, as flink-dist's scripts do. */
  private List<String> resourceParams(String which, String classpath) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(javaBinary(), "-cp", classpath, "org.apache.flink.runtime.util.bash.BashJavaUtils", which,
        "--configDir", dir.resolve("conf").toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    List<String> lines = output.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
        .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
    if (lines.size() < 2) {
      throw new IllegalStateException("Flink's BashJavaUtils " + which + " gave no resource settings:\n" + output);
    }
    List<String> args = new ArrayList<>(List.of(lines.get(0).strip().split("\\s+")));
    args.add("|");
    args.addAll(List.of(lines.get(1).strip().split("\\s+")));
    return args;
  }

  private void launch(String name, List<String> params, String classpath, String mainClass, int threads) throws IOException {
    int split = params.indexOf("|");
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(params.subList(0, split));
    cmd.addAll(List.of(OPENS.split(" ")));
    cmd.addAll(List.of("-Djava.awt.headless=true", "-Dai.djl.offline=true", "-Dai.djl.pytorch.num_threads=" + threads,
        "-Dai.djl.pytorch.num_interop_threads=1", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        "-Dorg.slf4j.simpleLogger.log.org.apache.flink=warn", "-Dorg.slf4j.simpleLogger.log.ai.djl=error",
        "-D" + NativeMemory.RELEASE_AFTER_GRADIENT + "=" + Boolean.getBoolean(NativeMemory.RELEASE_AFTER_GRADIENT),
        "-Dlog.file=" + dir.resolve("log/" + name + ".log"), "-cp", classpath, mainClass, "--configDir", dir.resolve("conf").toString()));
    cmd.addAll(params.subList(split + 1, params.size()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log/" + name + ".out").toFile());
    pb.environment().put("DJL_OFFLINE", "true");
    // two arenas, not the launcher's one: a TaskManager runs its slots' workers in one JVM, and with one
    // arena ./ram bench train measured 31.3 s a cluster epoch at parallelism 2 against 28.2 s with two
    // (measured while the gradients still returned freed memory after each shard: NativeMemory)
    pb.environment().put("MALLOC_ARENA_MAX", "2");
    Process p = pb.start();
    StartedProcess.of(p.toHandle(), mainClass + " --configDir " + dir.resolve("conf")).write(dir.resolve("run/" + name + ".pid"));
  }

  private static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
