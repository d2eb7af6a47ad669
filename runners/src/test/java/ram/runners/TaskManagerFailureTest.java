package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;

/**
 * A TaskManager of the local session cluster is killed (SIGKILL) in the middle of an epoch: the
 * epoch fails cleanly (non-zero exit, nothing of it published, earlier epochs intact), and once
 * the cluster is back, rerunning the command resumes and ends with the checkpoint of an
 * uninterrupted run.
 */
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

  static int train(String[] args, ByteArrayOutputStream out, ByteArrayOutputStream err) {
    System.setProperty("ram.home", HOME.toString());
    return Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
  }

  @Test
  void killingATaskManagerMidEpochFailsTheEpochCleanlyAndTheRerunResumes() throws Exception {
    Path reference = tmp.resolve("reference");
    assertEquals(0, train(args(reference), new ByteArrayOutputStream(), new ByteArrayOutputStream()));

    FlinkSessionCluster cluster = new FlinkSessionCluster(tmp.resolve("flink"));
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path run = tmp.resolve("run");
    try {
      cluster.start(1, 2, 0, new PrintStream(log, true));
      String[] onCluster = args(run, "--flink_master", cluster.master());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> train(onCluster, out, err));
      Path partial = run.resolve("epochs/000002.partial");
      long deadline = System.currentTimeMillis() + 180_000;
      while (!Files.exists(partial) && !first.isDone() && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
      }
      assertFalse(first.isDone(), "the run ended before epoch 2 began: " + err + out);
      long pid = StartedProcess.read(tmp.resolve("flink/run/taskmanager-0.pid")).pid();
      ProcessHandle.of(pid).orElseThrow().destroyForcibly(); // SIGKILL
      int code = first.get(240, TimeUnit.SECONDS);
      System.out.println("after the TaskManager was killed: exit " + code + "\n" + err);
      assertTrue(code != 0 || Files.exists(run.resolve("epochs/000003")), "either the epoch failed or Flink finished the run");
      if (code != 0) {
        assertTrue(err.toString().contains("epoch 2"), err.toString());
        assertEquals("000001", Files.readString(run.resolve("latest")).strip(), "epoch 1 stays published, epoch 2 is not");
        assertFalse(Files.exists(run.resolve("epochs/000002")));
      }
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
          Checkpoint.readDirectory(run.resolve("epochs/000003/checkpoint")).get(file), file);
    }
    try (var files = Files.walk(run)) {
      assertEquals(List.of(), files.map(Path::toString).filter(f -> f.contains(".partial") || f.contains(".tmp")).toList());
    }
  }
}
