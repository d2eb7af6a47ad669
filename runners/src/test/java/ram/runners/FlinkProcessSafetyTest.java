package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.runners.cli.Main;
import ram.runners.cluster.FlinkSessionCluster;
import ram.runners.cluster.OrphanJobs;
import ram.runners.store.OwnedDirectory;

/**
 * What {@code ram flink} and a run on a session cluster leave alone: {@code flink stop} and {@code
 * status} signal only processes the cluster started (a pid now held by another program is
 * discarded), {@code flink start} refuses a bind address that is not the host's, and a rerun after
 * its driver was killed cancels the job the killed driver left running before it starts the epoch.
 */
@Tag("slow")
class FlinkProcessSafetyTest {

  static final Path HOME = RunConfigTest.HOME;
  @TempDir Path tmp;

  /** A live process, its start time and the command line that {@code /proc} shows for it. */
  record Live(Process process, long startMillis, String commandLine) {}

  /**
   * One pid file case: the command run, the pid file's text from the live process and the cluster
   * directory, the expected output and whether the live process is signalled.
   */
  record PidCase(String name, String action, Function<Live, String> pidFile, Function<Live, String> expected, boolean signalled) {}

  @Test
  void stopAndStatusSignalOnlyTheProcessesTheClusterStarted() throws Exception {
    String tm = "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";
    List<PidCase> cases = List.of(
        new PidCase("another program, its start time", "stop", l -> "pid=" + l.process().pid() + "\nstarted=" + l.startMillis()
            + "\ncommand=" + tm + " --configDir " + dir("c0") + "/conf\n", l -> "discarding " + dir("c0") + "/run/taskmanager-0.pid: process "
            + l.process().pid() + " runs 'sleep 60', not '" + tm + " --configDir " + dir("c0") + "/conf': another program has its pid; not signalled\n"
            + "no Flink cluster running from " + dir("c0") + "\n", false),
        new PidCase("its command, another start time", "stop", l -> "pid=" + l.process().pid() + "\nstarted=" + (l.startMillis() - 1000)
            + "\ncommand=sleep 60\n", l -> "discarding " + dir("c1") + "/run/taskmanager-0.pid: process " + l.process().pid() + " started at "
            + Instant.ofEpochMilli(l.startMillis()) + ", not at " + Instant.ofEpochMilli(l.startMillis() - 1000)
            + ": another program has its pid; not signalled\nno Flink cluster running from " + dir("c1") + "\n", false),
        new PidCase("a bare pid of an earlier ram", "stop", l -> l.process().pid() + "\n", l -> "discarding " + dir("c2")
            + "/run/taskmanager-0.pid: process " + l.process().pid() + " runs 'sleep 60', not '--configDir " + dir("c2")
            + "/conf': another program has its pid; not signalled\nno Flink cluster running from " + dir("c2") + "\n", false),
        new PidCase("a bare pid, status", "status", l -> l.process().pid() + "\n", l -> "discarding " + dir("c3")
            + "/run/taskmanager-0.pid: process " + l.process().pid() + " runs 'sleep 60', not '--configDir " + dir("c3")
            + "/conf': another program has its pid; not signalled\nnot running (" + dir("c3") + ")\n", false),
        new PidCase("a process that is gone", "stop", l -> "pid=" + goneProcess() + "\nstarted=" + l.startMillis() + "\ncommand=sleep 60\n",
            l -> "discarding " + dir("c4") + "/run/taskmanager-0.pid: process " + lastGone + " is gone\nno Flink cluster running from "
            + dir("c4") + "\n", false),
        new PidCase("no record", "stop", l -> "pid=\n", l -> "discarding " + dir("c5") + "/run/taskmanager-0.pid: it records no process\n"
            + "no Flink cluster running from " + dir("c5") + "\n", false),
        new PidCase("the process it started", "stop", l -> "pid=" + l.process().pid() + "\nstarted=" + l.startMillis()
            + "\ncommand=sleep 60\n", l -> "stopped 1 Flink process(es)\n", true));
    for (int i = 0; i < cases.size(); i++) {
      PidCase c = cases.get(i);
      Path dir = OwnedDirectory.claim(Path.of(dir("c" + i)), OwnedDirectory.Kind.FLINK_CLUSTER, "test"); // as flink start makes it
      Files.createDirectories(dir.resolve("run"));
      Live live = startSleep();
      try {
        Files.writeString(dir.resolve("run/taskmanager-0.pid"), c.pidFile().apply(live));
        BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("flink", c.action(), "--dir", dir.toString());
        assertEquals(0, o.code(), c.name() + ": " + o.err());
        assertEquals(c.expected().apply(live), o.out(), c.name());
        if (c.signalled()) {
          assertTrue(live.process().waitFor(20, TimeUnit.SECONDS), c.name() + ": the recorded process was not stopped");
        } else {
          assertFalse(live.process().waitFor(1, TimeUnit.SECONDS), c.name() + ": another program's process was signalled");
        }
        assertFalse(Files.exists(dir.resolve("run/taskmanager-0.pid")), c.name() + ": the pid file is left");
      } finally {
        live.process().destroyForcibly();
      }
    }
  }

  /** {@code tmp/name}, as the cluster prints it (absolute). */
  private String dir(String name) {
    return tmp.resolve(name).toAbsolutePath().normalize().toString();
  }

  private long lastGone;

  /** The pid of a process that has ended. */
  private long goneProcess() {
    try {
      Process p = new ProcessBuilder("true").start();
      p.waitFor();
      lastGone = p.pid();
      return lastGone;
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code sleep 60}, once it runs sleep (not the JDK's launcher any more). */
  private static Live startSleep() throws Exception {
    Process p = new ProcessBuilder("sleep", "60").start();
    Path cmdline = Path.of("/proc", Long.toString(p.pid()), "cmdline");
    long deadline = System.currentTimeMillis() + 10_000;
    while (!Files.readString(cmdline).equals("sleep\u000060\u0000") && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    return new Live(p, p.toHandle().info().startInstant().orElseThrow().toEpochMilli(), "sleep 60");
  }

  /** A bind address of no interface of the host is refused by name, before anything is written. */
  @Test
  void startRefusesABindHostThatIsNotTheHosts() throws Exception {
    record BadStart(String bindHost, String error) {}
    String expected = "error: flink: --bind_host: expected an address of this host's network interfaces (default 127.0.0.1, "
        + "0.0.0.0 for all), got '%s'";
    List<BadStart> cases = List.of(
        new BadStart("192.0.2.1", String.format(expected, "192.0.2.1")), // TEST-NET-1, nobody's
        new BadStart("", String.format(expected, "")),
        new BadStart("no-such-host.invalid", String.format(expected, "no-such-host.invalid")));
    Path dir = OwnedDirectory.claim(tmp.resolve("flink"), OwnedDirectory.Kind.FLINK_CLUSTER, "test"); // a cluster directory ram made
    Files.writeString(dir.resolve("notes.txt"), "kept\n");
    Map<String, String> before = BadInputCorpusTest.snapshot(dir);
    for (BadStart c : cases) {
      BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("flink", "start", "--bind_host", c.bindHost(), "--dir", dir.toString());
      assertEquals(2, o.code(), c.bindHost());
      assertEquals(c.error(), o.err().strip());
      assertEquals(before, BadInputCorpusTest.snapshot(dir), c.bindHost());
    }
  }

  /**
   * A driver is killed (SIGKILL) while its epoch's job runs on a session cluster: the job goes on
   * without it. The rerun cancels that job, and waits until it has ended, before it starts the
   * epoch again, and the run completes.
   */
  @Test
  void aRerunCancelsTheJobOfItsKilledDriverBeforeItsFirstEpoch() throws Exception {
    FlinkSessionCluster cluster = new FlinkSessionCluster(tmp.resolve("flink"));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path run = tmp.resolve("run");
    String jobName = OrphanJobs.jobName("toy2d", 1, run);
    try {
      cluster.start(1, 2, 0, new PrintStream(log, true));
      List<String> args = List.of("train", "toy2d", "--output_dir", run.toString(), "--runner", "flink", "--flink_master",
          cluster.master(), "--epochs", "1", "--eval_samples", "0", "--parallelism", "2", "--optimizer_steps_per_epoch", "1", "--sample_steps", "400");
      Process driver = startDriver(args, tmp.resolve("driver.log"));
      long t0 = System.nanoTime();
      Optional<JsonObject> job = Optional.empty();
      while (job.isEmpty() && driver.isAlive() && System.nanoTime() - t0 < 300_000_000_000L) {
        job = jobs(cluster.master()).stream().filter(j -> j.get("name").getAsString().equals(jobName)
            && j.get("state").getAsString().equals("RUNNING")).findFirst();
        Thread.sleep(100);
      }
      assertTrue(job.isPresent(), "no job " + jobName + " ran: " + Files.readString(tmp.resolve("driver.log")));
      String orphan = job.get().get("jid").getAsString();
      driver.destroyForcibly(); // SIGKILL
      driver.waitFor();
      System.out.printf("driver killed %.1f s after its start%n", (System.nanoTime() - t0) / 1e9);
      assertEquals("RUNNING", job(cluster.master(), orphan).get("state").getAsString(), "the job goes on without its driver");

      System.setProperty("ram.home", HOME.toString());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Main.run(args.toArray(String[]::new), new PrintStream(out, true), new PrintStream(err, true));
      System.out.println(out);
      assertEquals(0, code, err.toString());
      List<String> lines = out.toString().lines().toList();
      int cancelling = lines.indexOf("Flink job " + orphan + " (" + jobName + ") of an earlier driver of this run is RUNNING: "
          + "cancelling it before the run goes on");
      int cancelled = lines.indexOf("Flink job " + orphan + " is CANCELED");
      int epoch = lines.stream().filter(l -> l.startsWith("epoch 1/1 ")).findFirst().map(lines::indexOf).orElse(-1);
      assertTrue(cancelling >= 0 && cancelled > cancelling && epoch > cancelled, out.toString());
      assertTrue(out.toString().contains("RESULT final_epoch=1"), out.toString());

      JsonObject ended = job(cluster.master(), orphan);
      assertEquals("CANCELED", ended.get("state").getAsString());
      List<JsonObject> rerunJobs = jobs(cluster.master()).stream().filter(j -> j.get("name").getAsString().equals(jobName)
          && !j.get("jid").getAsString().equals(orphan)).toList();
      assertEquals(1, rerunJobs.size(), rerunJobs.toString());
      assertEquals("FINISHED", rerunJobs.get(0).get("state").getAsString());
      assertTrue(rerunJobs.get(0).get("start-time").getAsLong() >= ended.get("end-time").getAsLong(),
          "the rerun's job started before the orphan ended: " + rerunJobs + " " + ended);
      try (Stream<Path> files = Files.walk(run)) {
        assertEquals(List.of(), files.map(Path::toString).filter(f -> f.contains(".partial") || f.contains(".tmp")).toList());
      }
    } finally {
      cluster.stop(new PrintStream(log, true));
    }
    // the same run, uninterrupted (DirectRunner, same parallelism): the same checkpoint, bit for bit
    Path reference = tmp.resolve("reference");
    List<String> uninterrupted = List.of("train", "toy2d", "--output_dir", reference.toString(), "--runner", "direct", "--epochs", "1",
        "--eval_samples", "0", "--parallelism", "2", "--optimizer_steps_per_epoch", "1", "--sample_steps", "400");
    assertEquals(0, Main.run(uninterrupted.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream(), true),
        new PrintStream(new ByteArrayOutputStream(), true)));
    for (String file : List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params")) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          ram.model.Checkpoint.readDirectory(reference.resolve("epochs/000001/checkpoint")).get(file),
          ram.model.Checkpoint.readDirectory(run.resolve("epochs/000001/checkpoint")).get(file), file);
    }
  }

  /** {@code ram} as a separate JVM, as the launcher starts it. */
  private Process startDriver(List<String> args, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Dram.home=" + HOME, "-Dai.djl.offline=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-Djava.io.tmpdir=" + Files.createDirectories(tmp.resolve("jvm-tmp")),
        "ram.runners.cli.Main"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("DJL_OFFLINE", "true");
    return pb.start();
  }

  private static List<JsonObject> jobs(String master) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement j : get(master, "/jobs/overview").getAsJsonArray("jobs")) {
      out.add(j.getAsJsonObject());
    }
    return out;
  }

  private static JsonObject job(String master, String id) throws Exception {
    return get(master, "/jobs/" + id);
  }

  private static JsonObject get(String master, String path) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + master + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return JsonParser.parseString(r.body()).getAsJsonObject();
  }
}
