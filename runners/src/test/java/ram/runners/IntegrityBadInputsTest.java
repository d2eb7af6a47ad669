package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.model.ParameterSet;
import ram.runners.store.OwnedDirectory;
import ram.runners.store.WriterLock;
import ram.runners.train.RunDirectory;

/**
 * Checkpoints and bases that are not what they claim, and a reward that cannot score, through the
 * real command line on small toy2d runs (DirectRunner, P 4 x G 8, one optimizer step per epoch):
 * an incomplete manifest, a checkpoint copied in from another epoch, non-finite weights, a base
 * changed under a full or a LoRA run. Each is refused with its exact line and exit code, and no
 * byte of the run it was pointed at changes.
 */
class IntegrityBadInputsTest {

  static final String LIST_ALL = " (every file of a checkpoint must be listed with its SHA-256)";
  static final String ARCHITECTURE = "toy-mlp-2d-128x3";
  @TempDir static Path tmp;
  /** A copy of the shipped toy base, which cases change (and {@link #restoreBases} puts back). */
  static Path base;
  static Path loraBase;
  /** Two published epochs of full fine-tuning over {@link #base}. */
  static Path run;
  /** One published epoch of LoRA adapters over {@link #loraBase}. */
  static Path loraRun;
  static String baseSha;

  static String[] train(Path out, Path over, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "toy2d", "--output_dir", out.toString(), "--base_checkpoint", over.toString(),
        "--runner", "direct", "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "1",
        "--eval_samples", "0"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static String[] trainLora(Path out, String... more) {
    List<String> a = new ArrayList<>(List.of(train(out, loraBase, "--finetune", "lora", "--lora_targets", "linear.*")));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static void restoreBases() throws IOException {
    for (Path b : List.of(base, loraBase)) {
      RunDirectory.deleteTree(b);
      BadInputCorpusTest.copyTree(BadInputCorpusTest.HOME.resolve("models/toy2d/base"), b);
    }
  }

  @BeforeAll
  static void runs() throws IOException {
    base = tmp.resolve("base");
    loraBase = tmp.resolve("lora-base");
    restoreBases();
    baseSha = Checkpoint.sha256(Files.readAllBytes(base.resolve("theta.params")));
    run = tmp.resolve("run");
    loraRun = tmp.resolve("lora-run");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(train(run, base, "--epochs", "2"));
    assertEquals(0, o.code(), o.err());
    o = BadInputCorpusTest.ram(trainLora(loraRun, "--epochs", "1"));
    assertEquals(0, o.code(), o.err());
  }

  /** What a case does to its copy of a run (and to the bases) before the command; returns the expected line. */
  interface Damage {
    String apply(Path copy) throws IOException;
  }

  /**
   * One bad input: which run it damages a copy of, the damage, the command on the copy and the
   * exit code it must end with.
   */
  record Case(String what, Path source, Damage damage, String[] command, int code) {}

  static Path epoch(Path copy, int epoch) {
    return copy.resolve(String.format("epochs/%06d/checkpoint", epoch));
  }

  static String error(Path checkpoint, String file, String message) {
    return "error: " + checkpoint + "/" + file + ": " + message;
  }

  static void editManifest(Path checkpoint, Consumer<JsonObject> edit) throws IOException {
    Path file = checkpoint.resolve("manifest.json");
    JsonObject manifest = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    edit.accept(manifest);
    Files.writeString(file, manifest.toString());
  }

  /** Replaces a parameter file with {@code poison} written into one tensor, and lists its new hash: consistent, but broken. */
  static void poison(Path checkpoint, String file, String tensor, float poison) throws IOException {
    ParameterSet p = ParameterSet.fromBytes(Files.readAllBytes(checkpoint.resolve(file)));
    p.get(tensor)[3] = poison;
    byte[] bytes = p.toBytes();
    Files.write(checkpoint.resolve(file), bytes);
    editManifest(checkpoint, m -> m.getAsJsonObject("sha256").addProperty(file, Checkpoint.sha256(bytes)));
  }

  /** Rewrites {@code dir}'s base with every weight scaled by 1.5 (still finite); returns the new SHA-256 of theta.params. */
  static String changeBase(Path dir) {
    ParameterSet theta = Checkpoint.decodeTheta(Checkpoint.readDirectory(dir), dir.toString());
    theta.scaleInPlace(1.5f);
    Checkpoint.writeDirectory(dir, Checkpoint.encodeBase(theta, ARCHITECTURE, Map.of("note", "changed under a run")));
    return Checkpoint.sha256(theta.toBytes());
  }

  static String[] evaluate(Path checkpoint) {
    return new String[] {"evaluate", "--checkpoint", checkpoint.getParent().toString(), "--eval_samples", "8", "--out",
        tmp.resolve("eval-out").toString()};
  }

  /** Evaluate names the checkpoint directory itself (a resume over a damaged newest epoch falls back instead: SafeTargetsTest). */
  static String[] evaluateDir(Path checkpoint) {
    return new String[] {"evaluate", "--checkpoint", checkpoint.toString(), "--eval_samples", "8", "--out",
        tmp.resolve("eval-out").toString()};
  }

  @Test
  void everyBadCheckpointOrBaseIsRefusedByNameAndLeavesTheRunUntouched() throws Exception {
    Path c = tmp.resolve("copy");
    Path e1 = epoch(c, 1);
    Path e2 = epoch(c, 2);
    String[] resume = train(c, base, "--epochs", "3");
    String[] resumeLora = trainLora(c, "--epochs", "2");
    Damage copyEpoch1IntoEpoch2 = copy -> {
      RunDirectory.deleteTree(e2);
      BadInputCorpusTest.copyTree(e1, e2);
      return error(e2, "manifest.json", "says epoch 1, but it sits in the directory of epoch 2 (a checkpoint copied from another epoch?)");
    };
    Damage nanInTheta = copy -> {
      poison(e2, "theta.params", "linear1.bias", Float.NaN);
      return error(e2, "theta.params", "parameter linear1.bias holds a non-finite value (NaN or infinity); the checkpoint is broken");
    };
    List<Case> cases = List.of(
        new Case("empty sha256 table", run, copy -> {
          editManifest(e2, m -> m.add("sha256", new JsonObject()));
          return error(e2, "manifest.json", "the sha256 table is empty" + LIST_ALL);
        }, evaluateDir(e2), 2),
        new Case("partial sha256 table", run, copy -> {
          editManifest(e2, m -> m.getAsJsonObject("sha256").remove("adam_m.params"));
          return error(e2, "manifest.json", "the sha256 table does not list adam_m.params" + LIST_ALL);
        }, evaluateDir(e2), 2),
        new Case("unlisted extra file", run, copy -> {
          Files.writeString(e2.resolve("notes.txt"), "put here by hand");
          return error(e2, "notes.txt", "not listed in the manifest's sha256 table" + LIST_ALL);
        }, evaluateDir(e2), 2),
        new Case("missing kind", run, copy -> {
          editManifest(e2, m -> m.remove("kind"));
          return error(e2, "manifest.json", "field 'kind' is missing");
        }, evaluateDir(e2), 2),
        new Case("epoch of the wrong type", run, copy -> {
          editManifest(e2, m -> m.addProperty("epoch", "2"));
          return error(e2, "manifest.json", "field 'epoch' must be a non-negative integer, got \"2\"");
        }, evaluateDir(e2), 2),
        new Case("evaluate the checkpoint directory of epoch 1 copied into epoch 2", run, copyEpoch1IntoEpoch2, evaluateDir(e2), 2),
        new Case("parent is not the previous epoch", run, copy -> {
          editManifest(e2, m -> m.addProperty("parent", base.toString()));
          return error(e2, "manifest.json", "its parent is " + base + ", but the parent of epoch 2 must be the checkpoint of epoch 1 "
              + "(epochs/000001/checkpoint)");
        }, evaluateDir(e2), 2),
        new Case("evaluate the checkpoint directory of NaN weights", run, nanInTheta, evaluateDir(e2), 2),
        new Case("infinite weights", run, copy -> {
          poison(e2, "ema.params", "linear3.weight", Float.POSITIVE_INFINITY);
          return error(e2, "ema.params", "parameter linear3.weight holds a non-finite value (NaN or infinity); the checkpoint is broken");
        }, evaluateDir(e2), 2),
        new Case("NaN base", run, copy -> {
          ParameterSet theta = Checkpoint.decodeTheta(Checkpoint.readDirectory(base), "base");
          theta.names().forEach(name -> Arrays.fill(theta.get(name), Float.NaN));
          Checkpoint.writeDirectory(base, Checkpoint.encodeBase(theta, ARCHITECTURE, Map.of("note", "all NaN")));
          return error(base, "theta.params", "parameter linear0.weight holds a non-finite value (NaN or infinity); the checkpoint is broken");
        }, resume, 2),
        new Case("base changed under a full fine-tuning run", run, copy -> "error: " + base + "/theta.params has SHA-256 "
            + changeBase(base) + ", but this run was started from a base with SHA-256 " + baseSha + " (base_sha256 in " + c
            + "/config.yaml): the base was changed; restore it, or start a new --output_dir", resume, 2),
        new Case("base changed under a LoRA run", loraRun, copy -> "error: " + loraBase + "/theta.params has SHA-256 "
            + changeBase(loraBase) + ", but this run was started from a base with SHA-256 " + baseSha + " (base_sha256 in " + c
            + "/config.yaml): the base was changed; restore it, or start a new --output_dir", resumeLora, 2),
        new Case("base changed under a LoRA run that did not pin it in its config", loraRun, copy -> {
          Path config = copy.resolve("config.yaml");
          Files.writeString(config, Files.readString(config).replaceAll("(?m)^base_sha256: .*\n", ""));
          return "error: " + e1 + ": its LoRA adapters were trained over a base whose theta.params has SHA-256 " + baseSha + ", but "
              + loraBase + " now has " + changeBase(loraBase) + " (the base was changed)";
        }, resumeLora, 2),
        new Case("a pin the base does not match", run, copy -> "error: " + base + "/theta.params has SHA-256 " + baseSha
            + ", but config 'toy2d' pins base_sha256 " + "0".repeat(64),
            train(c, base, "--epochs", "3", "--base_sha256", "0".repeat(64)), 2),
        new Case("max_reward_failures above 1", run,
            copy -> "error: config 'toy2d': max_reward_failures 1.5 is above 1; expected a fraction of the epoch's samples, 0..1",
            train(c, base, "--epochs", "3", "--max_reward_failures", "1.5"), 2),
        new Case("evaluate a checkpoint copied from another epoch", run, copyEpoch1IntoEpoch2, evaluate(e2), 2),
        new Case("evaluate NaN weights", run, nanInTheta, evaluate(e2), 2));

    for (Case k : cases) {
      RunDirectory.deleteTree(c);
      BadInputCorpusTest.copyTree(k.source(), c);
      try {
        String line = k.damage().apply(c);
        Map<String, String> before = BadInputCorpusTest.snapshot(c);
        BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(k.command());
        assertEquals(line, o.err().strip(), k.what() + "\n" + o.out());
        assertEquals(k.code(), o.code(), k.what());
        assertEquals(before, BadInputCorpusTest.snapshot(c), k.what() + " changed the run directory");
      } finally {
        restoreBases();
      }
    }
    assertFalse(Files.exists(tmp.resolve("eval-out")), "evaluate wrote nothing");
  }

  /** A run started before runs pinned their base resumes, and from then on pins it. */
  @Test
  void aRunWithoutAPinResumesAndIsPinnedFromThenOn() throws Exception {
    Path c = tmp.resolve("unpinned");
    BadInputCorpusTest.copyTree(run, c);
    Path config = c.resolve("config.yaml");
    Files.writeString(config, Files.readString(config).replaceAll("(?m)^base_sha256: .*\n", ""));
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(train(c, base, "--epochs", "2"));
    assertEquals(0, o.code(), o.err());
    assertEquals(List.of("base_sha256: " + baseSha), Files.readAllLines(config).stream().filter(l -> l.startsWith("base_sha256")).toList());
  }

  /**
   * The compressibility reward scores images; on toy2d's 2-D points every sample is an error row.
   * The epoch fails with the reward, the count and the first error (of the first sample, slot 0
   * image 0), and nothing of it is published: the run holds its resolved config, ram's marker and
   * lock, and the log of the failure.
   */
  @Test
  void anEpochWhoseRewardCannotScoreFailsAndPublishesNothing() throws Exception {
    Path fresh = tmp.resolve("reward-fails");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(train(fresh, base, "--epochs", "2", "--rewards", "compressibility=1"));
    String line = o.err().strip();
    assertTrue(line.startsWith("failed: epoch 1: reward compressibility failed on 32 of 32 samples (first error: "
        + "compressibility: sample e000001-p00000-g000: expected an image of shape [3, H, W] with H, W > 0, got [2]); "
        + "nothing of it is published (details: " + fresh.resolve("logs/ram-")) && line.endsWith(".log)"), line);
    assertEquals(1, line.lines().count(), line);
    assertEquals(1, o.code());
    assertEquals(Set.of("config.yaml", OwnedDirectory.MARKER, WriterLock.FILE),
        BadInputCorpusTest.snapshot(fresh).keySet().stream().filter(f -> !f.startsWith("logs/")).collect(java.util.stream.Collectors.toSet()));
    try (var epochs = Files.list(fresh.resolve("epochs"))) {
      assertEquals(List.of(), epochs.toList(), "no epoch directory, published or partial");
    }
    assertFalse(Files.exists(fresh.resolve("latest")));
  }
}
