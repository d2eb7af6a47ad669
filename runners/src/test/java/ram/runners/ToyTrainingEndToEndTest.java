package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.runners.cli.Main;
import ram.runners.cluster.FlinkSessionCluster;
import ram.transforms.ParquetRecords;

/**
 * The toy run through the real epoch pipeline, small: embedded Flink and the DirectRunner give the
 * same samples, rewards and checkpoints; a rerun resumes; DuckDB reads the store.
 */
@Tag("slow")
class ToyTrainingEndToEndTest {

  static final Path HOME = RunConfigTest.HOME;
  @TempDir static Path tmp;
  static Path flinkRun;
  static Path directRun;

  static String[] args(Path out, String runner, int epochs) {
    return new String[] {"train", "toy2d", "--output_dir", out.toString(), "--runner", runner, "--epochs", Integer.toString(epochs),
        "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "2", "--eval_samples", "200",
        "--parallelism", "2"};
  }

  static String train(String[] args) {
    System.setProperty("ram.home", HOME.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
    assertEquals(0, code, "train failed: " + err + "\n" + out);
    return out.toString();
  }

  @BeforeAll
  static void runBoth() {
    flinkRun = tmp.resolve("flink");
    directRun = tmp.resolve("direct");
    String flinkOut = train(args(flinkRun, "flink", 2));
    assertTrue(flinkOut.contains("RESULT final_eval_toy2d_mean="), flinkOut);
    train(args(directRun, "direct", 2));
  }

  static Map<String, String> byId(Path run, String table, String... fields) {
    Map<String, String> rows = new TreeMap<>();
    for (int e = 1; e <= 2; e++) {
      for (GenericRecord r : ParquetRecords.read(run.resolve(String.format("epochs/%06d/%s/*.parquet", e, table)).toString())) {
        List<String> values = new ArrayList<>();
        for (String f : fields) {
          values.add(String.valueOf(r.get(f)));
        }
        rows.put(r.get("sample_id") + "/" + (r.getSchema().getField("reward_name") != null ? r.get("reward_name") : ""),
            String.join("|", values));
      }
    }
    return rows;
  }

  @Test
  void flinkAndDirectRunnersProduceTheSameSamplesRewardsAndCheckpoints() {
    Map<String, String> flinkSamples = byId(flinkRun, "samples", "seed", "endpoint", "prompt_id", "policy_version");
    assertEquals(2 * 4 * 8, flinkSamples.size());
    assertEquals(flinkSamples, byId(directRun, "samples", "seed", "endpoint", "prompt_id", "policy_version"));
    Map<String, String> flinkRewards = byId(flinkRun, "rewards", "value", "error");
    assertEquals(2 * 4 * 8, flinkRewards.size());
    assertEquals(flinkRewards, byId(directRun, "rewards", "value", "error"));
    for (String file : List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params")) {
      assertArrayEquals(Checkpoint.readDirectory(flinkRun.resolve("epochs/000002/checkpoint")).get(file),
          Checkpoint.readDirectory(directRun.resolve("epochs/000002/checkpoint")).get(file), file);
    }
  }

  @Test
  void aLocalFlinkSessionClusterOfSeparateJvmsGivesTheEmbeddedRunsCheckpoint() throws Exception {
    Path state = tmp.resolve("flink-cluster");
    FlinkSessionCluster cluster = new FlinkSessionCluster(state);
    System.setProperty("ram.home", HOME.toString());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    try {
      FlinkSessionCluster.Overview o = cluster.start(1, 2, 0, new PrintStream(log, true));
      assertEquals(1, o.taskManagers());
      assertEquals(2, o.slots());
      assertEquals(2, cluster.alivePids(System.out).size(), "a JobManager and a TaskManager, each its own JVM");
      Path onCluster = tmp.resolve("on-cluster");
      List<String> args = new ArrayList<>(List.of(args(onCluster, "flink", 2)));
      args.addAll(List.of("--flink_master", cluster.master()));
      train(args.toArray(String[]::new));
      for (String file : List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params")) {
        assertArrayEquals(Checkpoint.readDirectory(flinkRun.resolve("epochs/000002/checkpoint")).get(file),
            Checkpoint.readDirectory(onCluster.resolve("epochs/000002/checkpoint")).get(file), file);
      }
      assertEquals(2, cluster.overview().orElseThrow().jobsFinished(), "both epochs ran as jobs of the cluster");
    } finally {
      cluster.stop(new PrintStream(log, true));
    }
    assertTrue(cluster.alivePids(System.out).isEmpty());
  }

  @Test
  void rerunResumesFromLatestAndMatchesAnUninterruptedRun() throws Exception {
    Path resumed = tmp.resolve("resumed");
    train(args(resumed, "direct", 1));
    assertEquals("000001", Files.readString(resumed.resolve("latest")).strip());
    Files.createDirectories(resumed.resolve("epochs/000002.partial/samples")); // debris of a crash
    String out = train(args(resumed, "direct", 2));
    assertTrue(out.contains("epochs 2..2"), out);
    assertFalse(Files.exists(resumed.resolve("epochs/000002.partial")));
    assertEquals(Checkpoint.readDirectory(directRun.resolve("epochs/000002/checkpoint")).get("theta.params").length,
        Checkpoint.readDirectory(resumed.resolve("epochs/000002/checkpoint")).get("theta.params").length);
    assertArrayEquals(Checkpoint.readDirectory(directRun.resolve("epochs/000002/checkpoint")).get("theta.params"),
        Checkpoint.readDirectory(resumed.resolve("epochs/000002/checkpoint")).get("theta.params"));
    String metrics = Files.readString(resumed.resolve("metrics.csv"));
    assertEquals(1, metrics.lines().filter(l -> l.startsWith("2,,reward_mean,")).count(), metrics);
    String again = train(args(resumed, "direct", 2));
    assertTrue(again.contains("RESULT final_epoch=2"), again);
  }

  @Test
  void killDashNineMidEpochThenRerunFinishesBitIdentical() throws Exception {
    Path killed = tmp.resolve("killed");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "-Dram.home=" + HOME, "-Dai.djl.offline=true",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "ram.runners.cli.Main"));
    command.addAll(List.of(args(killed, "flink", 2)));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("killed.log").toFile());
    pb.environment().put("DJL_OFFLINE", "true");
    Process process = pb.start();
    Path partial = killed.resolve("epochs/000002.partial");
    long deadline = System.currentTimeMillis() + 180_000;
    while (!Files.exists(partial) && process.isAlive() && System.currentTimeMillis() < deadline) {
      Thread.sleep(10);
    }
    assertTrue(process.isAlive(), "the run ended before epoch 2 began: " + Files.readString(tmp.resolve("killed.log")));
    process.destroyForcibly(); // SIGKILL
    process.waitFor();
    assertEquals("000001", Files.readString(killed.resolve("latest")).strip(), "killed in the middle of epoch 2");
    assertFalse(Files.exists(killed.resolve("epochs/000002")));

    String out = train(args(killed, "flink", 2));
    assertTrue(out.contains("epochs 2..2"), out);
    for (String file : List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params")) {
      assertArrayEquals(Checkpoint.readDirectory(flinkRun.resolve("epochs/000002/checkpoint")).get(file),
          Checkpoint.readDirectory(killed.resolve("epochs/000002/checkpoint")).get(file), file);
    }
    try (var files = Files.walk(killed)) {
      assertEquals(List.of(), files.map(Path::toString).filter(f -> f.contains(".partial") || f.contains(".tmp-")).toList());
    }
  }

  @Test
  void badInputFailsWithOneLineAndWritesNothing() throws Exception {
    System.setProperty("ram.home", HOME.toString());
    Path target = tmp.resolve("never");
    Path aFile = Files.writeString(tmp.resolve("plain-file"), "x");
    Map<String, String[]> cases = new TreeMap<>();
    cases.put("unknown key", new String[] {"train", "toy2d", "--output_dir", target.toString(), "--learning_rat", "1"});
    cases.put("wrong type", new String[] {"train", "toy2d", "--output_dir", target.toString(), "--epochs", "many"});
    cases.put("missing config", new String[] {"train", "no_such", "--output_dir", target.toString()});
    cases.put("unwritable run directory", new String[] {"train", "toy2d", "--output_dir", aFile.resolve("run").toString()});
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int code = Main.run(c.getValue(), new PrintStream(out, true), new PrintStream(err, true));
      assertEquals(2, code, c.getKey());
      assertEquals(1, err.toString().strip().lines().count(), c.getKey() + ": " + err);
      assertTrue(err.toString().startsWith("error: "), c.getKey() + ": " + err);
      assertEquals("", out.toString(), c.getKey());
      assertFalse(Files.exists(target), c.getKey());
    }
    assertEquals("x", Files.readString(aFile));
  }

  @Test
  void changedTrainingKeysAreRefusedOnResume() {
    System.setProperty("ram.home", HOME.toString());
    String[] a = args(directRun, "direct", 2);
    String[] changed = java.util.Arrays.copyOf(a, a.length + 2);
    changed[a.length] = "--seed";
    changed[a.length + 1] = "7";
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, Main.run(changed, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true)));
    assertTrue(err.toString().contains("[seed]"), err.toString());
  }

  @Test
  void duckDbReadsTheStore() throws Exception {
    Class.forName("org.duckdb.DuckDBDriver");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      String samples = flinkRun.resolve("epochs/*/samples/*.parquet").toString();
      try (ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT sample_id), min(epoch), max(epoch), "
          + "min(len(endpoint.shape)), min(octet_length(endpoint.data)), min(sampler.steps) FROM read_parquet('" + samples + "')")) {
        assertTrue(r.next());
        assertEquals(64, r.getLong(1));
        assertEquals(64, r.getLong(2));
        assertEquals(1, r.getInt(3));
        assertEquals(2, r.getInt(4));
        assertEquals(1, r.getInt(5));
        assertEquals(8, r.getInt(6)); // two float32 values
        assertEquals(25, r.getInt(7));
      }
      String rewards = flinkRun.resolve("epochs/*/rewards/*.parquet").toString();
      try (ResultSet r = s.executeQuery("SELECT reward_name, count(*), count(value), avg(value) BETWEEN 0 AND 1 FROM read_parquet('"
          + rewards + "') GROUP BY reward_name")) {
        assertTrue(r.next());
        assertEquals("toy2d", r.getString(1));
        assertEquals(64, r.getLong(2));
        assertEquals(64, r.getLong(3));
        assertTrue(r.getBoolean(4));
        assertFalse(r.next());
      }
      String adv = flinkRun.resolve("epochs/*/advantages/*.parquet").toString();
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM read_parquet('" + adv + "') a JOIN read_parquet('" + rewards
          + "') w USING (sample_id) WHERE a.reward = w.value")) {
        assertTrue(r.next());
        assertEquals(64, r.getLong(1));
      }
      try (ResultSet r = s.executeQuery("SELECT count(DISTINCT step) FROM read_parquet('"
          + flinkRun.resolve("epochs/*/metrics/*.parquet") + "') WHERE name = 'loss'")) {
        assertTrue(r.next());
        assertEquals(2, r.getLong(1));
      }
    }
  }
}
