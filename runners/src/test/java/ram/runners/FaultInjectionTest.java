package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.runners.cli.Main;
import ram.transforms.FaultInjection;
import ram.transforms.ParquetRecords;

/**
 * Crash safety of training: a toy run is killed at every named point of an epoch (sampling,
 * scoring, update, checkpoint write, publication, the {@code latest} update; see
 * {@link FaultInjection}) and by SIGKILL at random moments; after each, rerunning the same command
 * must finish with the checkpoint of an uninterrupted run, bit for bit, with every epoch in the
 * store exactly once and no temporary file left.
 */
@Tag("slow")
class FaultInjectionTest {

  static final Path HOME = RunConfigTest.HOME;
  static final int EPOCHS = 2;
  static final int P = 4;
  static final int G = 8;
  /** Random SIGKILL trials, alternating the direct and the Flink runner. */
  static final int KILLS = 6;
  static final List<String> STATE_FILES = List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params");
  @TempDir static Path tmp;
  static Path reference;
  static double referenceSeconds;

  static List<String> args(Path out, String runner) {
    return List.of("train", "toy2d", "--output_dir", out.toString(), "--runner", runner, "--epochs", Integer.toString(EPOCHS),
        "--prompts_per_epoch", Integer.toString(P), "--images_per_prompt", Integer.toString(G), "--optimizer_steps_per_epoch", "2",
        "--eval_samples", "100", "--eval_every", "1", "--parallelism", "2");
  }

  /** The run as a separate JVM, as the launcher starts it; {@code fault} null for none. */
  static Process start(Path out, String runner, String fault, Path log) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Dram.home=" + HOME, "-Dai.djl.offline=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-Djava.io.tmpdir=" + jvmTmp()));
    if (fault != null) {
      command.add("-Dram.fault=" + fault);
    }
    command.add("ram.runners.cli.Main");
    command.addAll(args(out, runner));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("DJL_OFFLINE", "true");
    pb.environment().put("MALLOC_ARENA_MAX", "1");
    return pb.start();
  }

  /** A killed JVM's own temporary files (Flink's, native libraries) go here, not to /tmp. */
  static Path jvmTmp() throws IOException {
    return Files.createDirectories(tmp.resolve("jvm-tmp"));
  }

  static void rerun(Path out, String runner) {
    System.setProperty("ram.home", HOME.toString());
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int code = Main.run(args(out, runner).toArray(String[]::new), new PrintStream(stdout, true), new PrintStream(stderr, true));
    assertEquals(0, code, out + ": the rerun failed: " + stderr + "\n" + stdout);
    assertTrue(stdout.toString().contains("RESULT final_epoch=" + EPOCHS), stdout.toString());
  }

  @BeforeAll
  static void uninterruptedRun() throws Exception {
    System.setProperty("ram.home", HOME.toString()); // for the runs in this JVM, whichever test comes first
    reference = tmp.resolve("reference");
    long t0 = System.nanoTime();
    Process p = start(reference, "direct", null, tmp.resolve("reference.log"));
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the reference run did not finish in 300 s");
    referenceSeconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("reference.log")));
  }

  @Test
  void everyNamedCrashPointIsSurvived() throws Exception {
    // Each point once, on both runners and in both epochs between them: the points of the Beam
    // stages in epoch 1 on Flink, the driver's writes in the last epoch (its evaluation and the
    // final report come after), on the direct runner. The write-failure test below adds
    // checkpoint and latest in the other epochs.
    List<String> trials = new ArrayList<>();
    for (String point : FaultInjection.POINTS) {
      trials.add(List.of("reward", "update", "publish").contains(point) ? point + "@1 flink" : point + "@2 direct");
    }
    for (String trial : trials) {
      String fault = trial.split(" ")[0];
      String runner = trial.split(" ")[1];
      Path run = tmp.resolve(fault.replace('@', '-') + "-" + runner);
      Path log = tmp.resolve(run.getFileName() + ".log");
      Process p = start(run, runner, fault, log);
      assertTrue(p.waitFor(300, TimeUnit.SECONDS), trial + ": still running after 300 s");
      String output = Files.readString(log);
      assertEquals(FaultInjection.EXIT_CODE, p.exitValue(), trial + ": the fault did not fire\n" + output);
      assertTrue(output.contains("fault injected: " + fault), output);
      rerun(run, runner);
      assertSameAsUninterrupted(run, trial);
    }
    System.out.printf("fault injection: %d named crash points survived%n", trials.size());
  }

  @Test
  void aWriteThatFailsPartWayFailsTheRunAndTheRerunResumes() throws Exception {
    for (String fault : List.of("checkpoint@2:ioerror", "latest@1:ioerror")) {
      Path run = tmp.resolve("ioerror-" + fault.replace('@', '-').replace(':', '-'));
      System.setProperty("ram.fault", fault);
      ByteArrayOutputStream stdout = new ByteArrayOutputStream();
      ByteArrayOutputStream stderr = new ByteArrayOutputStream();
      int code;
      try {
        code = Main.run(args(run, "direct").toArray(String[]::new), new PrintStream(stdout, true), new PrintStream(stderr, true));
      } finally {
        System.clearProperty("ram.fault");
      }
      assertEquals(1, code, fault + ": " + stderr);
      assertTrue(stderr.toString().contains("injected write failure at " + fault.replace(":ioerror", "")), stderr.toString());
      rerun(run, "direct");
      assertSameAsUninterrupted(run, fault);
    }
  }

  @Test
  void sigkillAtRandomMomentsIsSurvived() throws Exception {
    Random random = new Random(20261130);
    int killed = 0;
    for (int trial = 0; trial < KILLS; trial++) {
      String runner = trial % 2 == 0 ? "direct" : "flink";
      Path run = tmp.resolve("sigkill-" + trial);
      long delay = (long) (1000 * referenceSeconds * (0.15 + 0.8 * random.nextDouble()));
      Process p = start(run, runner, null, tmp.resolve("sigkill-" + trial + ".log"));
      if (!p.waitFor(delay, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly(); // SIGKILL
        p.waitFor();
        killed++;
      }
      rerun(run, runner);
      assertSameAsUninterrupted(run, "SIGKILL after " + delay + " ms");
    }
    System.out.printf("fault injection: %d of %d runs killed by SIGKILL at random moments, all resumed%n", killed, KILLS);
    assertTrue(killed >= KILLS - 2, "most random kills should land before the run ends: " + killed);
  }

  /** Final checkpoint bit-identical; each epoch once with all its samples and rewards; no debris. */
  static void assertSameAsUninterrupted(Path run, String trial) throws IOException {
    for (String file : STATE_FILES) {
      assertArrayEquals(Checkpoint.readDirectory(reference.resolve(String.format("epochs/%06d/checkpoint", EPOCHS))).get(file),
          Checkpoint.readDirectory(run.resolve(String.format("epochs/%06d/checkpoint", EPOCHS))).get(file), trial + ": " + file);
    }
    List<String> epochs;
    try (Stream<Path> s = Files.list(run.resolve("epochs"))) {
      epochs = s.map(p -> p.getFileName().toString()).sorted().toList();
    }
    assertEquals(List.of("000001", "000002"), epochs, trial);
    assertEquals(String.format("%06d", EPOCHS), Files.readString(run.resolve("latest")).strip(), trial);
    assertTrue(Files.exists(run.resolve("report.html")), trial + ": no report.html");
    Set<String> ids = new HashSet<>();
    for (int e = 1; e <= EPOCHS; e++) {
      int rows = 0;
      for (GenericRecord r : ParquetRecords.read(run.resolve(String.format("epochs/%06d/samples/*.parquet", e)).toString())) {
        assertEquals(e, ((Number) r.get("epoch")).intValue(), trial);
        assertTrue(ids.add(r.get("sample_id").toString()), trial + ": duplicate sample " + r.get("sample_id"));
        rows++;
      }
      assertEquals(P * G, rows, trial + ": samples of epoch " + e);
      assertEquals(P * G, ParquetRecords.read(run.resolve(String.format("epochs/%06d/rewards/*.parquet", e)).toString()).size(),
          trial + ": rewards of epoch " + e);
    }
    List<String> metrics = Files.readAllLines(run.resolve("metrics.csv"));
    assertEquals(new HashSet<>(metrics).size(), metrics.size(), trial + ": duplicated metric rows");
    assertEquals(Files.readAllLines(reference.resolve("metrics.csv")).stream().map(FaultInjectionTest::key).toList(),
        metrics.stream().map(FaultInjectionTest::key).toList(), trial + ": metric rows");
    try (Stream<Path> s = Files.walk(run)) {
      assertEquals(List.of(), s.map(Path::toString)
          .filter(f -> f.contains(".partial") || f.contains(".tmp") || f.contains(".old-")).toList(), trial + ": debris");
    }
  }

  /** A metrics.csv row without its value: which (epoch, step, name) rows exist. */
  private static String key(String row) {
    String[] f = row.split(",");
    return f.length >= 3 ? f[0] + "," + f[1] + "," + f[2] : row;
  }
}
