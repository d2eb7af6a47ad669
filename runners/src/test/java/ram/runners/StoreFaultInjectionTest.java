package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.runners.store.OwnedDirectory;
import ram.runners.store.PublishJournal;
import ram.runners.store.WriterLock;
import ram.transforms.FaultInjection;

/**
 * Crash safety of the commands besides training: {@code export}, {@code evaluate}, {@code rescore}
 * and {@code pretrain} are killed (as by SIGKILL, {@link FaultInjection}) after staging their
 * output and part-way through publishing it, over an older output of the same command; the rerun
 * must leave exactly what an uninterrupted run leaves, byte for byte, and no debris.
 */
@Tag("slow")
class StoreFaultInjectionTest {

  static final Path HOME = RunConfigTest.HOME;
  @TempDir static Path tmp;
  static Path run;

  @BeforeAll
  static void aSmallRun() {
    run = tmp.resolve("run");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(SafeTargetsTest.train(run).toArray(String[]::new));
    assertEquals(0, o.code(), o.err());
  }

  /** The command as a separate JVM with a fault at {@code fault}; returns its output after checking it halted there. */
  static String crash(List<String> args, String fault) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Dram.home=" + HOME, "-Dai.djl.offline=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-Dram.fault=" + fault, "ram.runners.cli.Main"));
    command.addAll(args);
    Path log = tmp.resolve("crash-" + fault.replace('@', '-') + ".log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), fault + ": still running after 300 s");
    String output = Files.readString(log);
    assertEquals(FaultInjection.EXIT_CODE, p.exitValue(), fault + ": the fault did not fire\n" + output);
    assertTrue(output.contains("fault injected: " + fault), output);
    return output;
  }

  static void ok(List<String> args) {
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(args.toArray(String[]::new));
    assertEquals(0, o.code(), args + ": " + o.err() + o.out());
  }

  /**
   * SHA-256 of every file under {@code dir} but ram's bookkeeping and files whose bytes carry a
   * wall-clock time; a Parquet file by its records in sorted order (a parallel runner writes rows
   * in whichever order its bundles finish).
   */
  static Map<String, String> contents(Path dir, List<String> timed) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String name = dir.relativize(p).toString();
        String file = p.getFileName().toString();
        if (!file.equals(WriterLock.FILE) && !file.equals(OwnedDirectory.MARKER) && !timed.contains(name)) {
          out.put(name, name.endsWith(".parquet") ? records(p) : Checkpoint.sha256(Files.readAllBytes(p)));
        }
      }
    }
    return out;
  }

  private static String records(Path parquet) {
    List<String> rows = ram.transforms.ParquetRecords.read(parquet.toString()).stream().map(Object::toString).sorted().toList();
    return rows.size() + " rows " + Checkpoint.sha256(String.join("\n", rows).getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static void assertNoDebris(Path dir, String what) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      assertEquals(List.of(), s.map(p -> dir.relativize(p).toString()).filter(n -> n.contains(".ram-staging") || n.contains(".ram-old")
          || n.contains(PublishJournal.FILE) || n.contains(".tmp-") || n.contains(".staging") || n.endsWith(".old")).toList(),
          what + ": debris");
    }
  }

  @Test
  void exportSurvivesACrashBeforeAndDuringItsPublication() throws Exception {
    Path reference = tmp.resolve("export-reference");
    List<String> jsonl = List.of("export", run.toString(), "--format", "jsonl", "--runner", "direct");
    ok(concat(jsonl, "--to", reference.toString()));
    for (String fault : List.of("export-commit@0", "export-publish@1")) {
      Path to = tmp.resolve("export-" + fault.replace('@', '-'));
      ok(List.of("export", run.toString(), "--format", "csv", "--runner", "direct", "--to", to.toString())); // the older output
      crash(concat(jsonl, "--to", to.toString()), fault);
      ok(concat(jsonl, "--to", to.toString()));
      assertEquals(contents(reference, List.of()), contents(to, List.of()), fault);
      assertNoDebris(to, fault);
    }
  }

  @Test
  void evaluateSurvivesACrashDuringItsPublication() throws Exception {
    List<String> evaluate = List.of("evaluate", "--checkpoint", run.resolve("latest").toString(), "--eval_samples", "16", "--runner",
        "direct");
    Path reference = tmp.resolve("evaluate-reference");
    ok(concat(evaluate, "--out", reference.toString()));
    Path out = tmp.resolve("evaluate-crashed");
    ok(List.of("evaluate", "--checkpoint", run.resolve("epochs/000001").toString(), "--eval_samples", "8", "--runner", "direct",
        "--out", out.toString()));
    crash(concat(evaluate, "--out", out.toString()), "evaluate-publish@1");
    ok(concat(evaluate, "--out", out.toString()));
    assertEquals(contents(reference, List.of("results.json")), contents(out, List.of("results.json")), "evaluate");
    assertNoDebris(out, "evaluate");
  }

  @Test
  void rescoreSurvivesACrashBetweenUnitsAndAReaderFinishesIt() throws Exception {
    Path reference = tmp.resolve("rescore-reference");
    BadInputCorpusTest.copyTree(run, reference);
    ok(List.of("rescore", reference.toString(), "--reward", "toy2d", "--runner", "direct"));
    Path crashed = tmp.resolve("rescore-crashed");
    BadInputCorpusTest.copyTree(run, crashed);
    crash(List.of("rescore", crashed.toString(), "--reward", "toy2d", "--runner", "direct"), "rescore-publish@1");
    assertTrue(Files.exists(crashed.resolve(PublishJournal.FILE)), "the crash came after the commit");
    // A reader of the store (here an export) rolls the publication forward before reading it.
    ok(List.of("export", crashed.toString(), "--to", tmp.resolve("rescore-export").toString(), "--runner", "direct"));
    List<String> timed = List.of("report.html", "metrics.csv", "metrics.jsonl");
    assertEquals(contents(reference, timed), contents(crashed, timed), "rescore rolled forward by a reader");
    assertNoDebris(crashed, "rescore");
    crash(List.of("rescore", crashed.toString(), "--reward", "toy2d", "--runner", "direct"), "rescore-commit@0");
    ok(List.of("rescore", crashed.toString(), "--reward", "toy2d", "--runner", "direct"));
    assertEquals(contents(reference, timed), contents(crashed, timed), "rescore rerun after a crash before its commit");
    assertNoDebris(crashed, "rescore");
  }

  @Test
  void pretrainSurvivesACrashWhileWritingTheBase() throws Exception {
    List<String> pretrain = List.of("pretrain", "toy2d", "--pretrain_steps", "40");
    Path reference = tmp.resolve("bases/reference");
    ok(concat(pretrain, "--base_checkpoint", reference.toString()));
    Path base = tmp.resolve("bases/crashed");
    ok(concat(pretrain, "--base_checkpoint", base.toString(), "--pretrain_seed", "7")); // an older base to replace
    crash(concat(pretrain, "--base_checkpoint", base.toString()), "pretrain-write@0");
    try (Stream<Path> s = Files.list(base.getParent())) {
      assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith("crashed.tmp-")), "the crash left the temporary checkpoint");
    }
    ok(concat(pretrain, "--base_checkpoint", base.toString()));
    assertEquals(Checkpoint.readDirectory(reference).get(Checkpoint.THETA).length, Checkpoint.readDirectory(base).get(Checkpoint.THETA).length);
    assertTrue(java.util.Arrays.equals(Checkpoint.readDirectory(reference).get(Checkpoint.THETA),
        Checkpoint.readDirectory(base).get(Checkpoint.THETA)), "the rerun's base equals an uninterrupted one");
    try (Stream<Path> s = Files.list(base.getParent())) {
      assertEquals(List.of("crashed", "reference"), s.map(p -> p.getFileName().toString()).sorted().toList(), "debris beside the base");
    }
  }

  static List<String> concat(List<String> a, String... more) {
    List<String> out = new ArrayList<>(a);
    out.addAll(List.of(more));
    return out;
  }
}
