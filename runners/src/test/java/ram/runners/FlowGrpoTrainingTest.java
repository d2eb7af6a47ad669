package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
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
import javax.imageio.ImageIO;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.runners.cli.Main;
import ram.runners.train.Comparison;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;
import ram.transforms.ParquetRecords;

/**
 * Flow-GRPO through the real epoch pipeline on the image base (small: P 4 x G 4, 8 SDE steps, 3
 * trained): embedded Flink and the DirectRunner give the same checkpoints; DuckDB reads the stored
 * trajectories; the first optimizer step of an epoch is on-policy (ratio 1, nothing clipped); the
 * items trained are exactly the rollouts of groups whose rewards differ, times the trained steps.
 * And {@code ./ram compare} end to end on a tiny budget. At parallelism 2 the two gradient shards
 * run in parallel threads of one JVM, where a scalar freed too early once corrupted gradients
 * ({@link ram.model.Scalars}); a mismatch of the two runners' checkpoints would show it.
 */
@Tag("slow")
class FlowGrpoTrainingTest {

  static final Path HOME = RunConfigTest.HOME;
  @TempDir static Path tmp;
  static Path flinkRun;
  static Path directRun;

  static String[] args(Path out, String runner) {
    return new String[] {"train", "geneval_grpo", "--output_dir", out.toString(), "--runner", runner, "--epochs", "2",
        "--prompts_per_epoch", "4", "--images_per_prompt", "4", "--sample_steps", "8", "--grpo_trained_steps", "3",
        "--eval_samples", "0", "--parallelism", "2"};
  }

  static String run(int expectedCode, String... args) {
    System.setProperty("ram.home", HOME.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
    assertEquals(expectedCode, code, "exit code; stderr: " + err + "\nstdout: " + out);
    return out + err.toString();
  }

  @BeforeAll
  static void runBoth() {
    flinkRun = tmp.resolve("flink");
    directRun = tmp.resolve("direct");
    run(0, args(flinkRun, "flink"));
    run(0, args(directRun, "direct"));
  }

  @Test
  void flinkAndDirectRunnersGiveTheSameCheckpoint() {
    for (String file : List.of("theta.params", "ema.params", "adam_m.params", "adam_v.params")) {
      assertArrayEquals(Checkpoint.readDirectory(flinkRun.resolve("epochs/000002/checkpoint")).get(file),
          Checkpoint.readDirectory(directRun.resolve("epochs/000002/checkpoint")).get(file), file);
    }
    assertTrue(!java.util.Arrays.equals(Checkpoint.readDirectory(flinkRun.resolve("epochs/000002/checkpoint")).get("theta.params"),
        Checkpoint.readDirectory(flinkRun.resolve("epochs/000001/checkpoint")).get("theta.params")), "epoch 2 moved theta");
  }

  @Test
  void duckDbReadsTheTrajectories() throws Exception {
    Class.forName("org.duckdb.DuckDBDriver");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      String trajectories = flinkRun.resolve("epochs/*/trajectories/*.parquet").toString();
      String samples = flinkRun.resolve("epochs/*/samples/*.parquet").toString();
      try (ResultSet r = s.executeQuery("SELECT count(*), count(DISTINCT sample_id), min(len(states)), max(len(states)), "
          + "min(len(log_probs)), max(len(log_probs)), min(times[1]), max(times[9]), min(noise_level) FROM read_parquet('"
          + trajectories + "')")) {
        assertTrue(r.next());
        assertEquals(32, r.getLong(1));
        assertEquals(32, r.getLong(2));
        assertEquals(9, r.getInt(3));
        assertEquals(9, r.getInt(4));
        assertEquals(8, r.getInt(5));
        assertEquals(8, r.getInt(6));
        assertEquals(1.0, r.getDouble(7), 0.0);
        assertEquals(0.0, r.getDouble(8), 0.0);
        assertEquals(0.7, r.getDouble(9), 0.0);
      }
      // a trajectory ends in its sample's endpoint
      try (ResultSet r = s.executeQuery("SELECT count(*) FROM read_parquet('" + trajectories + "') t JOIN read_parquet('" + samples
          + "') x USING (sample_id) WHERE t.states[9].data = x.endpoint.data AND x.sampler.name = 'flow_grpo_sde'")) {
        assertTrue(r.next());
        assertEquals(32, r.getLong(1));
      }
    }
  }

  @Test
  void theFirstStepIsOnPolicyAndOnlyGroupsWithDifferentRewardsTrain() {
    List<RunMetrics.Row> rows = new RunMetrics(new RunDirectory(flinkRun)).rows(2);
    for (int epoch = 1; epoch <= 2; epoch++) {
      Map<Integer, Map<String, Integer>> rewardsBySlot = new TreeMap<>();
      for (GenericRecord r : ParquetRecords.read(flinkRun.resolve(String.format("epochs/%06d/rewards/*.parquet", epoch)).toString())) {
        String id = r.get("sample_id").toString();
        int slot = Integer.parseInt(id.substring(id.indexOf("-p") + 2, id.indexOf("-g")));
        rewardsBySlot.computeIfAbsent(slot, k -> new TreeMap<>()).merge(String.valueOf(r.get("value")), 1, Integer::sum);
      }
      int[] trainable = new int[2];
      for (Map.Entry<Integer, Map<String, Integer>> e : rewardsBySlot.entrySet()) {
        if (e.getValue().size() > 1) {
          trainable[e.getKey() % 2] += 4;
        }
      }
      for (int step = 0; step < 2; step++) {
        double items = value(rows, epoch, step, "items");
        assertEquals(trainable[step] * 3, items, 0.0, "epoch " + epoch + " step " + step + " items");
      }
      if (trainable[0] > 0) {
        assertEquals(1.0, value(rows, epoch, 0, "ratio"), 1e-5, "on-policy ratio at the epoch's first step");
        assertEquals(0.0, value(rows, epoch, 0, "frac_clipped"), 0.0);
      }
    }
  }

  static double value(List<RunMetrics.Row> rows, int epoch, int step, String name) {
    return rows.stream().filter(r -> r.epoch() == epoch && r.step() == step && r.name().equals(name)).mapToDouble(RunMetrics.Row::value)
        .findFirst().orElse(0.0);
  }

  @Test
  void compareRunsBothMethodsOnTheSameBudgetAndWritesTheFigure() throws Exception {
    Path out = tmp.resolve("compare");
    String log = run(0, "compare", "geneval", "--out", out.toString(), "--epochs", "2", "--runner", "direct", "--prompts_per_epoch",
        "2", "--images_per_prompt", "4", "--sample_steps", "4", "--grpo_trained_steps", "3", "--eval_samples", "8",
        "--eval_steps", "4");
    assertTrue(log.contains("RESULT grpo_peak_reward="), log);
    assertTrue(log.contains("RESULT step_ratio="), log);
    assertEquals(2, new RunDirectory(out.resolve("ram")).latestEpoch(), "RAM: 2 epochs of 1 step");
    assertEquals(1, new RunDirectory(out.resolve("flow_grpo")).latestEpoch(), "Flow-GRPO: 1 epoch of 2 steps");
    BufferedImage png = ImageIO.read(out.resolve("comparison.png").toFile());
    assertEquals(1040, png.getWidth());
    String html = Files.readString(out.resolve("comparison.html"));
    assertTrue(html.contains("<th>Flow-GRPO</th><td>1</td><td>2</td>"), "Flow-GRPO evaluated after its epoch 1 = step 2");
    assertTrue(html.contains("<th>RAM</th><td>2</td><td>2</td>"), "RAM evaluated after its epoch 2 = step 2");
  }

  @Test
  void compareRefusesConfigsThatDifferInWhatTheyMustShare() throws Exception {
    Path home = tmp.resolve("home");
    Files.createDirectories(home.resolve("configs"));
    Files.copy(HOME.resolve("configs/geneval.yaml"), home.resolve("configs/geneval.yaml"));
    Files.writeString(home.resolve("configs/geneval_grpo.yaml"),
        Files.readString(HOME.resolve("configs/geneval_grpo.yaml")) + "seed: 7\n");
    System.setProperty("ram.home", home.toString());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      assertEquals(2, Main.run(new String[] {"compare", "geneval"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true)));
    } finally {
      System.setProperty("ram.home", HOME.toString());
    }
    assertTrue(err.toString().contains("differ in 'seed' (42 vs 7)"), err.toString());
  }

  @Test
  void stepsToReachFlowGrposPeakAndTheRatios() {
    List<RunMetrics.Row> ram = new ArrayList<>();
    List<RunMetrics.Row> grpo = new ArrayList<>();
    double[] ramRewards = {0.10, 0.30, 0.35};
    double[] grpoRewards = {0.10, 0.15, 0.20, 0.25, 0.22};
    for (int e = 0; e <= 4; e++) { // RAM: 10 s epochs of 1 step, evaluated every 2 epochs
      if (e % 2 == 0) {
        ram.add(new RunMetrics.Row(e, -1, "eval_ocr_mean", ramRewards[e / 2]));
      }
      if (e > 0) {
        ram.add(new RunMetrics.Row(e, -1, "pipeline_seconds", 10));
      }
    }
    for (int e = 0; e <= 4; e++) { // Flow-GRPO: 30 s epochs of 2 steps, evaluated every epoch
      grpo.add(new RunMetrics.Row(e, -1, "eval_ocr_mean", grpoRewards[e]));
      if (e > 0) {
        grpo.add(new RunMetrics.Row(e, -1, "pipeline_seconds", 30));
      }
    }
    Comparison c = new Comparison(Comparison.curve(ram, "ocr", 1), Comparison.curve(grpo, "ocr", 2));
    assertEquals(0.25, c.grpoPeak(), 0.0);
    assertEquals(6, c.grpoPeakPoint().steps(), "Flow-GRPO peaks after epoch 3 of 2 steps");
    assertEquals(90, c.grpoPeakPoint().wallSeconds(), 1e-9);
    assertEquals(2, c.ramStepsToGrpoPeak().getAsInt(), "RAM passes 0.25 after epoch 2 of 1 step");
    assertEquals(3.0, c.stepRatio().getAsDouble(), 1e-12);
    assertEquals(90.0 / 20, c.wallRatio().getAsDouble(), 1e-12);
    List<RunMetrics.Row> ramShort = ram.stream().filter(r -> r.epoch() <= 1).toList();
    Comparison never = new Comparison(Comparison.curve(ramShort, "ocr", 1), Comparison.curve(grpo, "ocr", 2));
    assertTrue(never.ramStepsToGrpoPeak().isEmpty());
    assertTrue(Double.isNaN(never.results().get("step_ratio")));
  }
}
