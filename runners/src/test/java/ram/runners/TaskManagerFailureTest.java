package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.runners.cli.Main;
import ram.runners.cluster.FlinkSessionCluster;
import ram.runners.cluster.OrphanJobs;
import ram.runners.cluster.StartedProcess;

/**
 * A TaskManager of a local Flink cluster ({@link FlinkSessionCluster}) is killed (SIGKILL) in the
 * middle of an epoch, while the cluster's REST API shows tasks of epoch 2's job running. The loss
 * must reach the epoch: the job ends FAILED, the command exits 1 naming epoch 2, nothing of it is
 * published and epoch 1 stays, so an epoch that finishes despite the kill, or a kill that comes
 * too late, fails the test. The same for the JobManager. Once the cluster is back, rerunning the
 * command resumes and ends with the checkpoint of an uninterrupted run.
 */
@Tag("slow")
class TaskManagerFailureTest {

  static final Path HOME = RunConfigTest.HOME;
  @TempDir static Path tmp;

  static String[] args(Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "toy2d", "--output_dir", out.toString(), "--runner", "flink", "--epochs", "3",
        "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "2", "--eval_samples", "100",
        "--parallelism", "2"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  /** The Flink job of the run's epoch 2, as the driver names it ({@link OrphanJobs#jobName}). */
  static String epoch2(Path run) {
    return OrphanJobs.jobName("toy2d", 2, run);
  }

  /** A job as the cluster's REST API shows it: its state and how many of its tasks run now. */
  record Job(String state, int runningTasks) {}

  /** Each job the cluster knows, by name, from its REST API ({@code /jobs/overview}); empty if it does not answer. */
  static Map<String, Job> jobs(FlinkSessionCluster cluster) {
    Map<String, Job> out = new TreeMap<>();
    try {
      HttpURLConnection c = (HttpURLConnection) URI.create("http://" + cluster.master() + "/jobs/overview").toURL().openConnection();
      c.setConnectTimeout(1000);
      c.setReadTimeout(2000);
      try (InputStream in = c.getInputStream()) {
        for (JsonElement e : JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject()
            .getAsJsonArray("jobs")) {
          JsonObject job = e.getAsJsonObject();
          out.put(job.get("name").getAsString(),
              new Job(job.get("state").getAsString(), job.getAsJsonObject("tasks").get("running").getAsInt()));
        }
      }
    } catch (IOException | RuntimeException e) { // not up, or not answering yet
      return out;
    }
    return out;
  }

  /** Whether epoch 2's job has tasks running on the TaskManager now. */
  static boolean epoch2Runs(FlinkSessionCluster cluster, Path run) {
    Job job = jobs(cluster).get(epoch2(run));
    return job != null && job.state().equals("RUNNING") && job.runningTasks() > 0;
  }

  static int train(String[] args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
    System.setProperty("ram.home", HOME.toString());
    return Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
  }

  static Path reference;

  @BeforeAll
  static void uninterruptedRun() {
    reference = tmp.resolve("reference");
    assertEquals(0, train(args(reference), new ByteArrayOutputStream(), new ByteArrayOutputStream()));
  }

  @Test
  void killingATaskManagerMidEpochFailsTheEpochCleanlyAndTheRerunResumes() throws Exception {
    killMidEpoch("taskmanager-0", true);
  }

  /**
   * The JobManager killed while epoch 2 runs: the driver loses its job and fails the epoch by name,
   * and after {@code ./ram flink stop && ./ram flink start} the rerun ends as an uninterrupted run.
   */
  @Test
  void killingTheJobManagerMidEpochFailsTheEpochCleanlyAndTheRerunResumes() throws Exception {
    killMidEpoch("jobmanager", false);
  }

  /** SIGKILL of the cluster process {@code victim} while epoch 2's tasks run; {@code jobVisible}: the job's end can be read over REST. */
  static void killMidEpoch(String victim, boolean jobVisible) throws Exception {
    FlinkSessionCluster cluster = new FlinkSessionCluster(tmp.resolve("flink-" + victim));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path run = tmp.resolve("run-" + victim);
    try {
      cluster.start(1, 2, 0, new PrintStream(log, true));
      String[] onCluster = args(run, "--flink_master", cluster.master());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> train(onCluster, out, err));
      long deadline = System.currentTimeMillis() + 180_000;
      // what the poll saw is what counts: a second look may fall between two stages, with no task running
      boolean seen = false;
      while (!(seen = epoch2Runs(cluster, run)) && !first.isDone() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(seen, "epoch 2's job never ran tasks on the Flink cluster: " + jobs(cluster) + err + out);
      ProcessHandle process = ProcessHandle.of(StartedProcess.read(cluster.dir().resolve("run/" + victim + ".pid")).pid())
          .orElseThrow();
      assertTrue(process.isAlive(), "the " + victim + " is alive until it is killed");
      process.destroyForcibly(); // SIGKILL
      process.onExit().get(30, TimeUnit.SECONDS);
      // Flink fails the job as soon as it sees the TaskManager gone while tasks of it ran there; a
      // job caught between two stages waits for a new slot until slot.request.timeout (300 s)
      int code = first.get(420, TimeUnit.SECONDS);
      System.out.println("after the " + victim + " was killed: exit " + code + "\n" + err);
      // the loss must have reached the epoch: its job failed (where the cluster can still say) and so did the command, by name
      if (jobVisible) {
        assertEquals("FAILED", jobs(cluster).get(epoch2(run)).state(), "epoch 2's job, after the kill: " + jobs(cluster));
      }
      assertEquals(1, code, err.toString() + out);
      assertTrue(err.toString().startsWith("failed: epoch 2 failed, nothing of it is published; "
          + "rerun the command to resume after epoch 1: "), err.toString());
      assertEquals(1, err.toString().strip().lines().count(), "one line: " + err);
      assertEquals("000001", Files.readString(run.resolve("latest")).strip(), "epoch 1 stays published, epoch 2 is not");
      assertFalse(Files.exists(run.resolve("epochs/000002")));
      cluster.stop(new PrintStream(log, true));
      cluster.start(1, 2, 0, new PrintStream(log, true));
      ByteArrayOutputStream again = new ByteArrayOutputStream();
      ByteArrayOutputStream againErr = new ByteArrayOutputStream();
      assertEquals(0, train(args(run, "--flink_master", cluster.master()), again, againErr), againErr.toString());
      assertTrue(again.toString().contains("RESULT final_epoch=3"), again.toString());
    } finally {
      cluster.stop(new PrintStream(log, true));
    }
    for (String file : List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params")) {
      assertArrayEquals(Checkpoint.readDirectory(reference.resolve("epochs/000003/checkpoint")).get(file),
          Checkpoint.readDirectory(run.resolve("epochs/000003/checkpoint")).get(file), victim + ": " + file);
    }
    try (var files = Files.walk(run)) {
      assertEquals(List.of(), files.map(Path::toString).filter(f -> f.contains(".partial") || f.contains(".tmp")).toList());
    }
  }
}
