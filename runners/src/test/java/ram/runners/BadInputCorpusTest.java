package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.model.ParameterSet;
import ram.runners.cli.Main;

/**
 * The corpus of bad inputs ({@code src/test/resources/bad-inputs/} and configs derived from
 * {@code configs/toy2d.yaml} one broken line at a time): each is refused with exit code 2 and a
 * one-line message naming the file, key or line and what was expected, and none changes a byte
 * of the existing run directory it was pointed at. Truncated and corrupt Parquet inputs are
 * covered by {@link StorePipelinesTest}; crashes part-way through a write by {@link FaultInjectionTest}.
 */
class BadInputCorpusTest {

  static final Path HOME = RunConfigTest.HOME;
  static final Path CORPUS = HOME.resolve("runners/src/test/resources/bad-inputs");
  @TempDir static Path tmp;
  static Path run;

  record Outcome(int code, String out, String err) {}

  static Outcome ram(String... args) {
    System.setProperty("ram.home", HOME.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
    return new Outcome(code, out.toString(), err.toString());
  }

  static String[] train(String config, String... more) {
    List<String> a = new ArrayList<>(List.of("train", config, "--output_dir", run.toString(), "--runner", "direct", "--epochs", "2",
        "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "1", "--eval_samples", "50"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  @BeforeAll
  static void anExistingRun() {
    run = tmp.resolve("run");
    Outcome o = ram(train("toy2d"));
    assertEquals(0, o.code(), o.err());
  }

  /** Path to SHA-256 of every file of the run. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Checkpoint.sha256(Files.readAllBytes(p)));
      }
    }
    return out;
  }

  /** toy2d.yaml with one line replaced (or, if {@code line} is absent, appended). */
  static String config(String name, String line, String replacement) throws IOException {
    String text = Files.readString(HOME.resolve("configs/toy2d.yaml"));
    text = text.contains(line) ? text.replace(line, replacement) : text + replacement + "\n";
    return Files.writeString(tmp.resolve(name + ".yaml"), text).toString();
  }

  @Test
  void everyBadInputIsRefusedByNameAndLeavesTheRunUntouched() throws Exception {
    Map<String, String[]> cases = new LinkedHashMap<>();
    Map<String, List<String>> expected = new LinkedHashMap<>();
    cases.put("malformed YAML", train(config("malformed", "epochs: 20", "epochs: [1, 2")));
    expected.put("malformed YAML", List.of("malformed.yaml", "malformed YAML"));
    cases.put("wrong type in the file", train(config("wrong-type", "epochs: 20", "epochs: twenty")));
    expected.put("wrong type in the file", List.of("wrong-type.yaml", "'epochs'", "an integer"));
    cases.put("wrong type on the command line", train("toy2d", "--cfg_scale", "strong"));
    expected.put("wrong type on the command line", List.of("--cfg_scale", "a number"));
    cases.put("zero size", train(config("zero-size", "prompts_per_epoch: 30", "prompts_per_epoch: 0")));
    expected.put("zero size", List.of("zero-size.yaml", "'prompts_per_epoch'"));
    cases.put("negative size", train("toy2d", "--images_per_prompt", "-8"));
    expected.put("negative size", List.of("--images_per_prompt"));
    cases.put("unknown reward", train(config("unknown-reward", "rewards: {toy2d: 1.0}", "rewards: {aesthetics: 1.0}")));
    expected.put("unknown reward", List.of("aesthetics"));
    cases.put("unknown key", train("toy2d", "--learning_rat", "1e-4"));
    expected.put("unknown key", List.of("learning_rat", "unknown key"));
    cases.put("empty prompt file", train("toy2d", "--prompts", CORPUS.resolve("empty.jsonl").toString()));
    expected.put("empty prompt file", List.of("empty.jsonl", "no prompts"));
    cases.put("invalid UTF-8", train("toy2d", "--prompts", CORPUS.resolve("invalid-utf8.jsonl").toString()));
    expected.put("invalid UTF-8", List.of("invalid-utf8.jsonl line 2", "not valid UTF-8"));
    cases.put("overlong prompt", train("toy2d", "--prompts", CORPUS.resolve("overlong.jsonl").toString()));
    expected.put("overlong prompt", List.of("overlong.jsonl line 1", "longer than 1000"));
    cases.put("not JSON", train("toy2d", "--prompts", CORPUS.resolve("not-json.jsonl").toString()));
    expected.put("not JSON", List.of("not-json.jsonl line 2", "invalid JSON"));
    cases.put("GenEval: unknown class", train("geneval", "--prompts", CORPUS.resolve("geneval-unknown-class.jsonl").toString()));
    expected.put("GenEval: unknown class", List.of("geneval-unknown-class.jsonl prompt line-000002", "dragon"));
    cases.put("GenEval: dangling position index",
        train("geneval", "--prompts", CORPUS.resolve("geneval-dangling-position.jsonl").toString()));
    expected.put("GenEval: dangling position index", List.of("geneval-dangling-position.jsonl prompt line-000001", "5"));
    cases.put("OCR: text and prompt disagree", train("ocr", "--prompts", CORPUS.resolve("ocr-text-mismatch.jsonl").toString()));
    expected.put("OCR: text and prompt disagree", List.of("ocr-text-mismatch.jsonl prompt line-000001", "'text'", "DOG"));
    cases.put("missing base checkpoint", train("toy2d", "--base_checkpoint", tmp.resolve("nowhere").toString()));
    expected.put("missing base checkpoint", List.of("nowhere", "does not exist"));

    Map<String, String> before = snapshot(run);
    for (Map.Entry<String, String[]> c : cases.entrySet()) {
      Outcome o = ram(c.getValue());
      String what = c.getKey() + ": " + o.err();
      assertEquals(2, o.code(), what + o.out());
      assertEquals(1, o.err().strip().lines().count(), what);
      assertTrue(o.err().startsWith("error: "), what);
      for (String fragment : expected.get(c.getKey())) {
        assertTrue(o.err().contains(fragment), what + " (expected it to mention " + fragment + ")");
      }
      assertEquals(before, snapshot(run), c.getKey() + " changed the run directory");
    }
  }

  @Test
  void aTamperedOrTruncatedCheckpointIsRefusedByEvaluate() throws Exception {
    // Resuming over such an epoch falls back to the one before it (SafeTargetsTest); evaluating it is refused.
    for (String damage : List.of("tampered", "truncated")) {
      Path copy = tmp.resolve(damage);
      copyTree(run, copy);
      Path theta = copy.resolve("epochs/000002/checkpoint/theta.params");
      byte[] bytes = Files.readAllBytes(theta);
      if (damage.equals("tampered")) {
        bytes[bytes.length / 2] ^= 1;
        Files.write(theta, bytes);
      } else {
        Files.write(theta, java.util.Arrays.copyOf(bytes, bytes.length / 3));
      }
      Map<String, String> before = snapshot(copy);
      Outcome e = ram("evaluate", "--checkpoint", copy.resolve("epochs/000002").toString());
      assertEquals(2, e.code(), damage + ": " + e.err());
      assertEquals("error: " + copy.resolve("epochs/000002/checkpoint/theta.params")
          + ": SHA-256 does not match the manifest (corrupt or tampered)", e.err().strip());
      assertEquals(before, snapshot(copy), damage + ": the run directory changed");
    }
  }

  @Test
  void aBaseHoldingNaNIsRefusedAtLoad() throws Exception {
    Path base = writeToyBase("nan-base", Float.NaN);
    Path nanRun = tmp.resolve("nan-run");
    String[] a = train("toy2d", "--base_checkpoint", base.toString(), "--eval_samples", "0");
    a[3] = nanRun.toString();
    Outcome o = ram(a);
    assertEquals("error: " + base + "/theta.params: parameter linear0.weight holds a non-finite value (NaN or infinity); "
        + "the checkpoint is broken", o.err().strip());
    assertEquals(2, o.code());
    assertTrue(!Files.exists(nanRun), "nothing is written");
  }

  /** Finite weights of 1e30 overflow within two layers: the samples, not the checkpoint, are non-finite. */
  @Test
  void aModelThatProducesNonFiniteSamplesFailsTheEpochAndPublishesNothing() throws Exception {
    Path base = writeToyBase("overflowing-base", 1e30f);
    Path nanRun = tmp.resolve("overflow-run");
    String[] a = train("toy2d", "--base_checkpoint", base.toString(), "--eval_samples", "0");
    a[3] = nanRun.toString();
    Outcome o = ram(a);
    assertEquals(1, o.code(), o.err() + o.out());
    assertTrue(o.err().contains("non-finite endpoints"), o.err());
    assertTrue(!Files.exists(nanRun.resolve("latest")) && !Files.exists(nanRun.resolve("epochs/000001")), "nothing is published");
  }

  /** A toy2d base whose every weight is {@code value}. */
  static Path writeToyBase(String name, float value) {
    Path base = tmp.resolve(name);
    ParameterSet theta = Checkpoint.decodeTheta(Checkpoint.readDirectory(HOME.resolve("models/toy2d/base")), "toy base");
    for (String tensor : theta.names()) {
      java.util.Arrays.fill(theta.get(tensor), value);
    }
    Checkpoint.writeDirectory(base, Checkpoint.encodeBase(theta, "toy-mlp-2d-128x3", Map.of("note", "every weight " + value + ", for a test")));
    return base;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
