package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.rewards.image.ImageTensors;
import ram.rewards.ocr.TextRenderer;
import ram.runners.cli.Main;
import ram.runners.report.EvaluationResults;
import ram.runners.store.OwnedDirectory;
import ram.runners.store.SampleStore;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.schemas.SamplerSettings;
import ram.transforms.ParquetRecords;
import ram.transforms.Tensors;
import ram.transforms.WriteParquet;

/**
 * The store pipelines over a real store: a small toy training run (DirectRunner) and a unit of
 * image samples (ground-truth OCR renders, one NaN image) written with the store's own writer.
 * Rescore reproduces the stored rewards, reruns never duplicate, exports are read by DuckDB and
 * their PNGs decode, and bad input is refused by name without partial output.
 */
class StorePipelinesTest {

  @TempDir static Path tmp;
  static Path run;
  static Path images;

  record Result(int code, String out, String err) {}

  static Result ram(String... args) {
    System.setProperty("ram.home", RunConfigTest.HOME.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
    return new Result(code, out.toString(), err.toString());
  }

  static Result ok(String... args) {
    Result r = ram(args);
    assertEquals(0, r.code(), String.join(" ", args) + " failed:\n" + r.err() + r.out());
    return r;
  }

  @BeforeAll
  static void store() {
    run = tmp.resolve("toy");
    ok("train", "toy2d", "--output_dir", run.toString(), "--runner", "direct", "--epochs", "2", "--prompts_per_epoch", "4",
        "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "2", "--eval_samples", "0", "--parallelism", "2");
    images = OwnedDirectory.claim(tmp.resolve("images"), OwnedDirectory.Kind.EVALUATION, "test"); // as ./ram evaluate makes one
    List<Sample> samples = new ArrayList<>();
    TextRenderer renderer = new TextRenderer();
    String[] words = {"CAT", "HELLO", "ZEN", "QUAY", "MAP", "LUX"};
    for (int i = 0; i < words.length; i++) {
      float[] pixels = ImageTensors.toTensor(renderer.render(words[i], new Random(i)));
      if (i == words.length - 1) {
        pixels[7] = Float.NaN; // a broken endpoint: scored as an error, exported without a PNG
      }
      samples.add(Sample.newBuilder().setSampleId(String.format("e000000-p%05d-g000", i)).setEpoch(0).setPromptId("ocr-" + i)
          .setPrompt("a sign that reads \"" + words[i] + "\"").setTag(null).setMetadataJson(null).setPromptSlot(i).setGroupIndex(0)
          .setSeed(i).setPolicyVersion(0).setPolicy("truth")
          .setSampler(SamplerSettings.newBuilder().setName("render").setSteps(0).setCfgScale(0).setTimeShift(1).build())
          .setEndpoint(Tensors.of(pixels, new int[] {3, 32, 32})).build());
    }
    PipelineOptions o = PipelineOptionsFactory.create();
    o.setRunner(DirectRunner.class);
    Pipeline p = Pipeline.create(o);
    p.apply(Create.of(samples).withCoder(AvroCoder.of(Sample.class)))
        .apply(WriteParquet.to(images.resolve("samples").toString(), "samples", Sample.getClassSchema()));
    p.run().waitUntilFinish();
  }

  static Map<String, Double> rewards(Path dir, String name) {
    Map<String, Double> out = new TreeMap<>();
    for (Path f : SampleStore.parquetIn(dir)) {
      for (Reward r : ParquetRecords.readAs(f.toString(), Reward.class)) {
        if (r.getRewardName().equals(name)) {
          assertEquals(null, out.put(r.getSampleId(), r.getValue()), "duplicate reward for " + r.getSampleId());
        }
      }
    }
    return out;
  }

  static List<String> tree(Path dir) throws Exception {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void rescoringWithTheTrainingRewardReproducesTheStoredRewardsAndRerunsNeverDuplicate() throws Exception {
    Result first = ok("rescore", run.toString(), "--reward", "toy2d", "--runner", "direct");
    assertTrue(first.out().contains("RESULT rescore_toy2d_scored=64"), first.out());
    List<String> files = tree(run);
    for (int e = 1; e <= 2; e++) {
      Path epoch = run.resolve(String.format("epochs/%06d", e));
      Map<String, Double> stored = rewards(epoch.resolve("rewards"), "toy2d");
      Map<String, Double> rescored = rewards(epoch.resolve("rewards-toy2d"), "toy2d");
      assertEquals(32, stored.size());
      assertEquals(stored, rescored, "epoch " + e);
    }
    ok("rescore", run.toString(), "--reward", "toy2d", "--runner", "direct");
    assertEquals(files, tree(run), "a rerun writes the same files, and nothing else");
    assertEquals(32, rewards(run.resolve("epochs/000001/rewards-toy2d"), "toy2d").size());
  }

  @Test
  void rescoresImagesWithARewardTheyWereNeverScoredWithOnFlinkAndExportsAnImagefolder() throws Exception {
    Result r = ok("rescore", images.resolve("samples").toString(), "--reward", "ocr", "--runner", "flink", "--parallelism", "2");
    Map<String, Double> ocr = rewards(images.resolve("rewards-ocr"), "ocr");
    assertEquals(6, ocr.size());
    assertEquals(null, ocr.get("e000000-p00005-g000"), "the NaN image is an error record, not a score");
    double mean = ocr.values().stream().filter(v -> v != null).mapToDouble(Double::doubleValue).average().orElseThrow();
    assertTrue(mean > 0.8, "ground-truth renders read back: " + mean + "\n" + r.out());

    Path folder = tmp.resolve("export-imagefolder");
    Result e = ok("export", images.toString(), "--to", folder.toString(), "--format", "imagefolder", "--runner", "direct");
    assertTrue(e.out().contains("RESULT export_rows=6") && e.out().contains("RESULT export_images=5"), e.out());
    List<String> lines = Files.readAllLines(folder.resolve("metadata.jsonl"));
    assertEquals(6, lines.size());
    assertTrue(lines.get(0).startsWith("{\"file_name\":\"images/e000000-p00000-g000.png\""), lines.get(0));
    for (int i = 0; i < 5; i++) {
      BufferedImage png = ImageIO.read(folder.resolve(String.format("images/e000000-p%05d-g000.png", i)).toFile());
      assertNotNull(png);
      assertEquals(32, png.getWidth());
    }
    Class.forName("org.duckdb.DuckDBDriver");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
        ResultSet q = s.executeQuery("SELECT count(*), count(file_name), count(reward_ocr), min(prompt) FROM read_json_auto('"
            + folder.resolve("metadata.jsonl") + "')")) {
      assertTrue(q.next());
      assertEquals(6, q.getInt(1));
      assertEquals(5, q.getInt(2));
      assertEquals(5, q.getInt(3));
      assertTrue(q.getString(4).startsWith("a sign that reads"));
    }
  }

  @Test
  void exportsAreReadByDuckDbWithTheExpectedRowsAndColumns() throws Exception {
    Path parquet = tmp.resolve("export-parquet");
    ok("export", run.toString(), "--to", parquet.toString(), "--format", "parquet", "--epochs", "2", "--runner", "direct");
    Path csv = tmp.resolve("export-csv");
    ok("export", run.toString(), "--to", csv.toString(), "--format", "csv", "--min_reward", "toy2d=0.3", "--runner", "direct");
    Path jsonl = tmp.resolve("export-jsonl");
    ok("export", run.toString(), "--to", jsonl.toString(), "--format", "jsonl", "--runner", "direct");
    Map<String, Double> stored = rewards(run.resolve("epochs/000002/rewards"), "toy2d");
    Class.forName("org.duckdb.DuckDBDriver");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      try (ResultSet q = s.executeQuery("SELECT count(*), min(epoch), max(epoch), count(advantage), min(len(endpoint)), "
          + "sum(reward_toy2d) FROM read_parquet('" + parquet.resolve("samples.parquet") + "')")) {
        assertTrue(q.next());
        assertEquals(32, q.getInt(1));
        assertEquals(2, q.getInt(2));
        assertEquals(2, q.getInt(3));
        assertEquals(32, q.getInt(4));
        assertEquals(2, q.getInt(5));
        assertEquals(stored.values().stream().mapToDouble(Double::doubleValue).sum(), q.getDouble(6), 1e-9);
      }
      try (ResultSet q = s.executeQuery("SELECT count(*), min(reward_toy2d) FROM read_csv_auto('" + csv.resolve("samples.csv") + "')")) {
        assertTrue(q.next());
        long expected = Stream.of(1, 2).flatMap(e -> rewards(run.resolve(String.format("epochs/%06d/rewards", e)), "toy2d").values().stream())
            .filter(v -> v >= 0.3).count();
        assertEquals(expected, q.getLong(1));
        assertTrue(q.getDouble(2) >= 0.3);
      }
      try (ResultSet q = s.executeQuery("SELECT count(*), count(DISTINCT sample_id) FROM read_json_auto('" + jsonl.resolve("samples.jsonl") + "')")) {
        assertTrue(q.next());
        assertEquals(64, q.getInt(1));
        assertEquals(64, q.getInt(2));
      }
    }
    byte[] before = Files.readAllBytes(parquet.resolve("samples.parquet"));
    ok("export", run.toString(), "--to", parquet.toString(), "--format", "parquet", "--epochs", "2", "--runner", "direct");
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(parquet.resolve("samples.parquet"))), "a rerun writes the same table");
  }

  @Test
  void badInputIsRefusedByNameWithNothingPartialLeft() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Result none = ram("rescore", empty.toString(), "--reward", "ocr");
    assertEquals(2, none.code());
    assertTrue(none.err().contains(empty.toString()) && none.err().contains("no samples Parquet"), none.err());

    Result unknown = ram("rescore", run.toString(), "--reward", "clip_score");
    assertEquals(2, unknown.code());
    assertTrue(unknown.err().contains("unknown reward 'clip_score'"), unknown.err());

    Path broken = tmp.resolve("broken/samples");
    Files.createDirectories(broken);
    Path good = SampleStore.parquetIn(run.resolve("epochs/000001/samples")).get(0);
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = broken.resolve("samples-00000-of-00001.parquet");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    for (String[] args : List.of(new String[] {"rescore", broken.toString(), "--reward", "toy2d", "--runner", "direct"},
        new String[] {"export", broken.toString(), "--to", tmp.resolve("never").toString(), "--runner", "direct"})) {
      Result r = ram(args);
      assertEquals(2, r.code(), r.err());
      assertTrue(r.err().contains(truncated.toString()) && r.err().contains("not a readable Parquet file"), r.err());
    }
    assertEquals(List.of("", "samples", "samples/samples-00000-of-00001.parquet"), tree(tmp.resolve("broken")));
    assertFalse(Files.exists(tmp.resolve("never")));
    assertFalse(Files.exists(tmp.resolve("never.partial")));

    Path rewardsNotSamples = tmp.resolve("wrong/samples");
    Files.createDirectories(rewardsNotSamples);
    Files.copy(SampleStore.parquetIn(run.resolve("epochs/000001/rewards")).get(0), rewardsNotSamples.resolve("x.parquet"));
    Result wrong = ram("rescore", rewardsNotSamples.toString(), "--reward", "toy2d");
    assertEquals(2, wrong.code());
    assertTrue(wrong.err().contains("expected Sample records"), wrong.err());

    Path occupied = Files.createDirectories(tmp.resolve("occupied"));
    Files.writeString(occupied.resolve("notes.txt"), "mine");
    Result refused = ram("export", run.toString(), "--to", occupied.toString(), "--runner", "direct");
    assertEquals(2, refused.code());
    assertTrue(refused.err().contains("not empty and not written by ram (found notes.txt)"), refused.err());
    assertEquals("mine", Files.readString(occupied.resolve("notes.txt")));

    Result badFilter = ram("export", run.toString(), "--to", tmp.resolve("f").toString(), "--min_reward", "ocr=0.5");
    assertEquals(2, badFilter.code());
    assertTrue(badFilter.err().contains("no reward 'ocr' is stored"), badFilter.err());
  }

  @Test
  void evaluationIsDeterministicForACheckpointAndSeedAndNeedsTheConfigBesideIt() throws Exception {
    Path first = tmp.resolve("eval-1");
    Path second = tmp.resolve("eval-2");
    Result a = ok("evaluate", "--checkpoint", run.resolve("latest").toString(), "--eval_samples", "64", "--out", first.toString(),
        "--runner", "direct");
    ok("evaluate", "--checkpoint", run.resolve("epochs/000002").toString(), "--eval_samples", "64", "--out", second.toString(),
        "--runner", "flink");
    assertTrue(a.out().contains("RESULT toy2d_mean=") && a.out().contains("RESULT toy2d_diversity=")
        && a.out().contains("RESULT toy2d_drift_from_base="), a.out());
    Map<String, Sample> one = EvaluationResults.read(first.resolve("toy2d/samples"));
    Map<String, Sample> two = EvaluationResults.read(second.resolve("toy2d/samples"));
    assertEquals(64, one.size());
    assertEquals(one, two, "same checkpoint and seed, Direct and Flink: the same samples");
    assertEquals(EvaluationResults.of("toy2d", first.resolve("toy2d")), EvaluationResults.of("toy2d", second.resolve("toy2d")));
    assertTrue(EvaluationResults.of("toy2d", first.resolve("toy2d")).get("toy2d_drift_from_base") > 0);
    assertEquals(2, one.values().iterator().next().getPolicyVersion());

    Path lonely = tmp.resolve("lonely");
    Files.createDirectories(lonely);
    try (Stream<Path> files = Files.list(run.resolve("epochs/000002/checkpoint"))) {
      for (Path f : files.toList()) {
        Files.copy(f, lonely.resolve(f.getFileName()));
      }
    }
    Result noConfig = ram("evaluate", "--checkpoint", lonely.toString(), "--out", tmp.resolve("eval-3").toString());
    assertEquals(2, noConfig.code());
    assertTrue(noConfig.err().contains(lonely.toString()) && noConfig.err().contains("no config.yaml"), noConfig.err());
    assertFalse(Files.exists(tmp.resolve("eval-3")) || Files.exists(tmp.resolve("eval-3.partial")));
  }
}
