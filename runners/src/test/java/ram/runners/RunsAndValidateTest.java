package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;

/** {@code ./ram runs} tells a run's state from what is on disk; {@code ./ram validate} plans without writing. */
class RunsAndValidateTest {

  @TempDir Path tmp;

  private static String[] train(Path out, int epochs, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "toy2d", "--output_dir", out.toString(), "--runner", "direct", "--epochs",
        Integer.toString(epochs), "--prompts_per_epoch", "2", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "1",
        "--eval_samples", "40", "--eval_every", "1"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  /** The line of {@code runs}' table for the run at {@code rel}. */
  private static String row(String table, String rel) {
    return table.lines().filter(l -> l.startsWith(rel + " ")).findFirst().orElseThrow(() -> new AssertionError(rel + " not in\n" + table));
  }

  @Test
  void runsShowsStoppedCrashedRunningAndFinished() throws Exception {
    Path runs = Files.createDirectories(tmp.resolve("runs"));
    Path a = runs.resolve("a");
    assertEquals(0, BadInputCorpusTest.ram(train(a, 2)).code());
    Path notes = Files.createDirectories(runs.resolve("notes")); // a user's folder that looks like a run: not listed
    Files.writeString(notes.resolve("config.yaml"), "epochs: 3\n");

    // stopped: a run configured for 2 epochs, resumed config asks for 3; nothing half-written
    String config = Files.readString(a.resolve("config.yaml"));
    Files.writeString(a.resolve("config.yaml"), config.replace("epochs: 2", "epochs: 3"));
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("runs", runs.toString());
    assertEquals(0, o.code(), o.err());
    String line = row(o.out(), "a");
    assertTrue(line.matches("a +toy2d +ram +2/3 +\\d\\.\\d{4} +toy2d \\d\\.\\d{4} +stopped +\\S+Z"), line);
    assertFalse(o.out().contains("notes"), o.out());

    // crashed: an epoch left half-written
    Files.createDirectories(a.resolve("epochs/000003.partial/samples"));
    assertTrue(row(BadInputCorpusTest.ram("runs", runs.toString()).out(), "a").contains(" crashed "));

    // running: a live process holds the writer lock
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), HoldWriterLock.class.getName(), a.toString(), "train toy2d").redirectErrorStream(true).start();
    try {
      BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked " + a, said.readLine());
      assertTrue(row(BadInputCorpusTest.ram("runs", runs.toString()).out(), "a").contains(" running "));
    } finally {
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
    assertTrue(row(BadInputCorpusTest.ram("runs", runs.toString()).out(), "a").contains(" crashed "), "a dead holder is not running");

    // finished: rerunning resumes (clearing the debris) and completes the third epoch
    o = BadInputCorpusTest.ram(train(a, 3));
    assertEquals(0, o.code(), o.err());
    String done = row(BadInputCorpusTest.ram("runs", runs.toString()).out(), "a");
    assertTrue(done.contains(" 3/3 ") && done.contains(" finished "), done);
    // the listed reward is the third epoch's reward_mean, as the run's own metrics file has it
    double reward = Double.parseDouble(done.split(" +")[4]);
    double recorded = RunMetrics.epochValue(new RunMetrics(new RunDirectory(a)).rows(3), 3, "reward_mean");
    assertEquals(recorded, reward, 5e-5);

    o = BadInputCorpusTest.ram("runs", tmp.resolve("missing").toString());
    assertEquals(2, o.code());
    assertTrue(o.err().startsWith("error: " + tmp.resolve("missing") + ": no such directory"), o.err());
  }

  @Test
  void validatePrintsTheResolvedConfigAndThePlanAndWritesNothing() throws Exception {
    Path out = tmp.resolve("planned");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("validate", "toy2d", "--output_dir", out.toString(), "--epochs", "3");
    assertEquals(0, o.code(), o.err() + o.out());
    assertFalse(Files.exists(out), "validate wrote " + out);
    String text = o.out();
    assertTrue(text.lines().anyMatch(l -> l.matches(" +epochs +3 +set")), text);
    assertTrue(text.lines().anyMatch(l -> l.matches(" +ode_solver +euler *")), "a default is not marked set:\n" + text);
    // toy2d.yaml: 30 prompts x 32 images; 4 re-noisings; 5 optimizer steps per epoch
    assertTrue(text.contains("RAM, 3 epochs of 30 prompts x 32 images = 960 samples each (2880 in all)"), text);
    assertTrue(text.contains("960 samples") && text.contains("4 re-noisings each = 3840 regression items per epoch"), text);
    assertTrue(text.contains("5 optimizer step(s) per epoch, 15 in all"), text);
    assertTrue(text.strip().endsWith("ok: train would start"), text);

    o = BadInputCorpusTest.ram("validate", "toy2d", "--output_dir", out.toString(), "--base_checkpoint", tmp.resolve("nobase").toString(),
        "--prompts", tmp.resolve("none.jsonl").toString());
    assertEquals(2, o.code(), o.out());
    assertTrue(o.out().contains("problems (train would refuse):"), o.out());
    assertTrue(o.out().contains("base_checkpoint " + tmp.resolve("nobase") + " does not exist"), o.out());
    assertTrue(o.out().contains("none.jsonl"), o.out());
    assertFalse(Files.exists(out));
  }

  @Test
  void validatePlansATorchScriptModelFromItsModuleFile() throws Exception {
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("validate", "torchscript_base");
    assertEquals(0, o.code(), o.err() + o.out());
    assertTrue(o.out().contains("fine-tunes torchscript fully, starting from " + BadInputCorpusTest.HOME.resolve("models/torchscript/base/velocity.pt")), o.out());
    o = BadInputCorpusTest.ram("validate", "torchscript_base", "--velocity", tmp.resolve("none.pt").toString());
    assertEquals(2, o.code(), o.out());
    assertTrue(o.out().contains("velocity " + tmp.resolve("none.pt") + " does not exist"), o.out());
  }
}
