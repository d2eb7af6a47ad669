package ram.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.runners.cli.Main;

/** {@code experiments/run gradients} over a real (toy) training run of {@code ./ram train}, and its refusals. */
class GradientsCommandTest {

  /** The repository root: configs/, prompts/ and models/. */
  static final Path HOME = Path.of(System.getProperty("ram.repo", "..")).toAbsolutePath().normalize();

  @TempDir Path tmp;

  private record Result(int code, String out, String err) {}

  private static Result ram(String... args) {
    return run(true, args);
  }

  private static Result experiments(String... args) {
    return run(false, args);
  }

  /** {@code ./ram} ({@code product}) or {@code experiments/run} in this JVM. */
  private static Result run(boolean product, String... args) {
    System.setProperty("ram.home", HOME.toString());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true);
    PrintStream e = new PrintStream(err, true);
    int code = product ? Main.run(args, o, e) : Experiments.run(args, o, e);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void analysesEveryEpochOfARunAndWritesEveryTensor() throws Exception {
    Path run = tmp.resolve("toy");
    Result train = ram("train", "toy2d", "--output_dir", run.toString(), "--runner", "direct", "--epochs", "3",
        "--optimizer_steps_per_epoch", "1", "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--eval_samples", "0");
    assertEquals(0, train.code(), train.err() + train.out());

    Result r = experiments("gradients", run.toString(), "--top", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("RESULT gradient_steps=3"), r.out());
    assertTrue(r.out().contains("RESULT gradient_noise_level=0.3333"), r.out());
    List<String> csv = Files.readAllLines(run.resolve(GradientsCommand.CSV));
    int tensors = Checkpoint.decodeTraining(Checkpoint.readDirectory(run.resolve("epochs/000003/checkpoint")), "epoch 3").theta().names().size();
    assertEquals(tensors + 1, csv.size(), "a header and one line per tensor");
    for (String line : csv.subList(1, csv.size())) {
      double c = Double.parseDouble(line.split(",")[1]);
      assertTrue(c >= 0 && c <= 1 + 1e-9, line);
    }
  }

  @Test
  void refusesWhatItCannotAnalyseNamingWhy() throws Exception {
    assertRefused(experiments("gradients", tmp.resolve("nothing").toString()), "config.yaml not found");

    Path twoSteps = runWithConfig("two-steps", "optimizer_steps_per_epoch: 2\nadam_beta1: 0.9\n");
    assertRefused(experiments("gradients", twoSteps.toString()), "optimizer_steps_per_epoch 2");
    Path fresh = runWithConfig("fresh", "optimizer_steps_per_epoch: 1\nadam_beta1: 0.9\n");
    assertRefused(experiments("gradients", fresh.toString()), "0 finished epochs");
    assertRefused(experiments("gradients", fresh.toString(), "--top", "none"), "--top expects a positive number");
  }

  /** A run directory holding only a resolved config. */
  private Path runWithConfig(String name, String yaml) throws Exception {
    Path dir = tmp.resolve(name);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("config.yaml"), yaml);
    return dir;
  }

  private static void assertRefused(Result r, String reason) {
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().contains(reason), r.err());
  }
}
