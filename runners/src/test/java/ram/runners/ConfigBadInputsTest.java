package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.RunConfig;
import ram.runners.cli.Main;

/**
 * Config values that are too large, ambiguous or malformed: every integer key's upper bound, on
 * the command line and in a file; products of keys that overflow an int, one Java array or the
 * heap; duplicate keys; YAML 1.1 octal, base-60 and yes/no values; prompt files too large to read.
 * Each is refused with exit code 2 and one exact line, and leaves every byte of a directory that
 * holds an existing run and the config files unchanged. An internal error ends in one line that
 * names a log holding the stack trace.
 */
class ConfigBadInputsTest {

  static final Path HOME = RunConfigTest.HOME;
  static final String TOY_YAML = readToy();
  static final long HEAP = Runtime.getRuntime().maxMemory();
  static final String HEAP_WHY = "(this JVM's max heap, Runtime.maxMemory(); raise it with -Xmx or lower the keys)";
  static final String OCTAL = " (a leading zero is refused: YAML 1.1 reads such a number as octal; write it without the zero)";
  static final String BASE_60 = " (YAML 1.1 reads this as a base-60 number; write the value in decimal)";
  @TempDir static Path tmp;
  /** The hashed tree: an existing run and every config file of the cases. */
  static Path tree;
  static Path run;
  /** Sparse prompt files, outside the tree (hashing them would read gigabytes). */
  static Path big;

  record Case(String name, String[] args, String expectedError) {}

  @BeforeAll
  static void anExistingRun() throws IOException {
    tree = Files.createDirectories(tmp.resolve("tree"));
    big = Files.createDirectories(tmp.resolve("big"));
    run = tree.resolve("run");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("train", "toy2d", "--output_dir", run.toString(), "--runner", "direct",
        "--epochs", "1", "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "1", "--eval_samples", "0");
    assertEquals(0, o.code(), o.err());
  }

  /**
   * configs/toy2d.yaml with the keys the cases edit that it leaves at their defaults written out,
   * so that each case replaces one line of a real config.
   */
  private static String readToy() {
    try {
      return Files.readString(HOME.resolve("configs/toy2d.yaml"))
          + "epochs: 20\nseed: 42\nrenoisings: 4\nsample_steps: 25\ncfg_scale: 1.0\nparallelism: 2\nflink_master: \"[local]\"\n";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** {@code train <config> --output_dir <run> --runner direct <more>}. */
  static String[] train(String config, String... more) {
    List<String> a = new ArrayList<>(List.of("train", config, "--output_dir", run.toString(), "--runner", "direct"));
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  /** toy2d.yaml with {@code line} replaced, written into the tree; returns its path. */
  static Path toy(String name, String line, String replacement) throws IOException {
    assertTrue(TOY_YAML.contains(line + "\n") || TOY_YAML.contains(line + " "), line);
    return Files.writeString(tree.resolve(name + ".yaml"), TOY_YAML.replace(line, replacement));
  }

  /** The 1-based line of toy2d.yaml that starts with {@code prefix}. */
  static int lineOf(String prefix) {
    List<String> lines = TOY_YAML.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i + 1;
      }
    }
    throw new AssertionError(prefix);
  }

  static Path sparse(String name, long bytes) throws IOException {
    Path file = big.resolve(name);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return file;
  }

  static List<Case> cases() throws IOException {
    List<Case> c = new ArrayList<>();
    // each integer key's bound on the command line
    c.add(new Case("images_per_prompt at int max", train("toy2d", "--images_per_prompt", "2147483647"),
        "--images_per_prompt: 2147483647 is above the limit of 1000000"));
    c.add(new Case("prompts_per_epoch", train("toy2d", "--prompts_per_epoch", "1000001"), "--prompts_per_epoch: 1000001 is above the limit of 1000000"));
    c.add(new Case("epochs", train("toy2d", "--epochs", "1000001"), "--epochs: 1000001 is above the limit of 1000000"));
    c.add(new Case("eval_every", train("toy2d", "--eval_every", "5000000"), "--eval_every: 5000000 is above the limit of 1000000"));
    c.add(new Case("parallelism", train("toy2d", "--parallelism", "1025"), "--parallelism: 1025 is above the limit of 1024"));
    c.add(new Case("gradient_shards", train("toy2d", "--gradient_shards", "4096"), "--gradient_shards: 4096 is above the limit of 1024"));
    c.add(new Case("renoisings", train("toy2d", "--renoisings", "1025"), "--renoisings: 1025 is above the limit of 1024"));
    c.add(new Case("optimizer_steps_per_epoch", train("toy2d", "--optimizer_steps_per_epoch", "10001"),
        "--optimizer_steps_per_epoch: 10001 is above the limit of 10000"));
    c.add(new Case("sample_steps", train("toy2d", "--sample_steps", "10001"), "--sample_steps: 10001 is above the limit of 10000"));
    c.add(new Case("eval_steps", train("toy2d", "--eval_steps", "20000"), "--eval_steps: 20000 is above the limit of 10000"));
    c.add(new Case("grpo_trained_steps", train("toy2d", "--grpo_trained_steps", "10001"), "--grpo_trained_steps: 10001 is above the limit of 10000"));
    c.add(new Case("eval_samples", train("toy2d", "--eval_samples", "10000001"), "--eval_samples: 10000001 is above the limit of 10000000"));
    c.add(new Case("eval_images_per_prompt", train("toy2d", "--eval_images_per_prompt", "1000001"),
        "--eval_images_per_prompt: 1000001 is above the limit of 1000000"));
    c.add(new Case("lora_rank", train("toy2d", "--lora_rank", "4097"), "--lora_rank: 4097 is above the limit of 4096"));
    c.add(new Case("pretrain_steps", train("toy2d", "--pretrain_steps", "1000000001"), "--pretrain_steps: 1000000001 is above the limit of 1000000000"));
    c.add(new Case("pretrain_warmup_steps", train("toy2d", "--pretrain_warmup_steps", "2147483647"),
        "--pretrain_warmup_steps: 2147483647 is above the limit of 1000000000"));
    c.add(new Case("pretrain_checkpoint_every", train("toy2d", "--pretrain_checkpoint_every", "3000000000"),
        "--pretrain_checkpoint_every: 3000000000 is above the limit of 1000000000"));
    c.add(new Case("pretrain_batch_size", train("toy2d", "--pretrain_batch_size", "1000001"),
        "--pretrain_batch_size: 1000001 is above the limit of 1000000"));
    c.add(new Case("seed beyond a long", train("toy2d", "--seed", "9223372036854775808"),
        "--seed: 9223372036854775808 is above the limit of 9223372036854775807"));
    c.add(new Case("eval_seed below a long", train("toy2d", "--eval_seed", "-9223372036854775809"),
        "--eval_seed: -9223372036854775809 is below the limit of -9223372036854775808"));
    c.add(new Case("epochs beyond a long", train("toy2d", "--epochs", "99999999999999999999"),
        "--epochs: 99999999999999999999 is above the limit of 1000000"));
    // bounds in a file
    Path epochs = toy("epochs-big", "epochs: 20", "epochs: 2000000");
    c.add(new Case("epochs in a file", train(epochs.toString()), epochs + ": key 'epochs': 2000000 is above the limit of 1000000"));
    Path images = toy("images-big", "images_per_prompt: 32", "images_per_prompt: 2147483647");
    c.add(new Case("images_per_prompt in a file", train(images.toString()),
        images + ": key 'images_per_prompt': 2147483647 is above the limit of 1000000"));
    Path workers = toy("parallelism-big", "parallelism: 2", "parallelism: 100000");
    c.add(new Case("parallelism in a file", train(workers.toString()), workers + ": key 'parallelism': 100000 is above the limit of 1024"));
    Path seed = toy("seed-big", "seed: 42", "seed: 18446744073709551616");
    c.add(new Case("seed in a file", train(seed.toString()),
        seed + ": key 'seed': 18446744073709551616 is above the limit of 9223372036854775807"));
    // products
    c.add(new Case("endpoints overflow an int", train("toy2d", "--prompts_per_epoch", "1000000", "--images_per_prompt", "1000000"),
        "config 'toy2d': prompts_per_epoch x images_per_prompt = 1000000 x 1000000 = 1000000000000 is above the limit of 2147483647"
            + " (the epoch's endpoints are counted in an int)"));
    c.add(new Case("training items overflow an int", train("toy2d", "--prompts_per_epoch", "1000000", "--images_per_prompt", "2000"),
        "config 'toy2d': prompts_per_epoch x images_per_prompt x renoisings = 1000000 x 2000 x 4 = 8000000000 is above the limit of"
            + " 2147483647 (the epoch's training items are counted in an int)"));
    c.add(new Case("optimizer steps overflow an int", train("toy2d", "--epochs", "1000000", "--optimizer_steps_per_epoch", "10000"),
        "config 'toy2d': epochs x optimizer_steps_per_epoch = 1000000 x 10000 = 10000000000 is above the limit of 2147483647"
            + " (the run's optimizer steps are counted in an int)"));
    c.add(new Case("one step's items overflow an array", train("toy2d", "--prompts_per_epoch", "1000000", "--images_per_prompt", "1000",
        "--renoisings", "2", "--optimizer_steps_per_epoch", "1"),
        "config 'toy2d': ceil(prompts_per_epoch / optimizer_steps_per_epoch) x images_per_prompt x renoisings x sample size"
            + " = 4000000000 is above the limit of 2147483639 (one gradient shard may hold a whole optimizer step's re-noised"
            + " endpoints in one Java array)"));
    c.add(new Case("one group of images overflows an array", train("geneval", "--images_per_prompt", "1000000"),
        "config 'geneval': images_per_prompt x sample size = 1000000 x 3072 = 3072000000 is above the limit of 2147483639"
            + " (one prompt's endpoints are one Java array)"));
    c.add(new Case("compare: one group of images overflows an array", new String[] {"compare", "geneval", "--images_per_prompt", "1000000"},
        "config 'geneval': images_per_prompt x sample size = 1000000 x 3072 = 3072000000 is above the limit of 2147483639"
            + " (one prompt's endpoints are one Java array)"));
    c.add(new Case("a pretraining batch overflows an array", train("geneval", "--pretrain_batch_size", "1000000"),
        "config 'geneval': pretrain_batch_size x sample size = 1000000 x 3072 = 3072000000 is above the limit of 2147483639"
            + " (a pretraining batch is one Java array)"));
    c.add(new Case("endpoints above the heap", train("toy2d", "--prompts_per_epoch", "1000000", "--images_per_prompt", "2000",
        "--renoisings", "1", "--optimizer_steps_per_epoch", "10000"),
        "config 'toy2d': prompts_per_epoch x images_per_prompt x sample size x 4 bytes = 1000000 x 2000 x 2 x 4 = 16000000000 bytes"
            + " is above the limit of " + HEAP + " bytes " + HEAP_WHY));
    Path heavy = Files.writeString(tree.resolve("heavy.yaml"), TOY_YAML.replace("prompts_per_epoch: 30", "prompts_per_epoch: 1000000")
        .replace("images_per_prompt: 32", "images_per_prompt: 2000").replace("renoisings: 4", "renoisings: 1")
        .replace("optimizer_steps_per_epoch: 5", "optimizer_steps_per_epoch: 10000"));
    c.add(new Case("endpoints above the heap, in a file", train(heavy.toString()),
        "config 'heavy': prompts_per_epoch x images_per_prompt x sample size x 4 bytes = 1000000 x 2000 x 2 x 4 = 16000000000 bytes"
            + " is above the limit of " + HEAP + " bytes " + HEAP_WHY));
    c.add(new Case("evaluation samples above the heap", train("geneval", "--eval_samples", "10000000"),
        "config 'geneval': eval_samples x sample size x 4 bytes = 10000000 x 3072 x 4 = 122880000000 bytes is above the limit of "
            + HEAP + " bytes " + HEAP_WHY));
    // duplicate keys
    Path duplicate = Files.writeString(tree.resolve("duplicate.yaml"), TOY_YAML + "epochs: 3\n");
    c.add(new Case("duplicate key", train(duplicate.toString()),
        duplicate + " line " + (TOY_YAML.lines().count() + 1) + ": duplicate key 'epochs' (each key may appear once)"));
    Path nested = toy("duplicate-reward", "rewards: {toy2d: 1.0}", "rewards: {toy2d: 1.0, toy2d: 2.0}");
    c.add(new Case("duplicate key in a mapping", train(nested.toString()),
        nested + " line " + lineOf("rewards:") + ": duplicate key 'toy2d' (each key may appear once)"));
    // YAML 1.1 readings
    Path octal = toy("octal", "epochs: 20", "epochs: 010");
    c.add(new Case("octal in a file", train(octal.toString()), octal + ": key 'epochs': expected an integer, got '010'" + OCTAL));
    c.add(new Case("octal on the command line", train("toy2d", "--images_per_prompt", "08"),
        "--images_per_prompt: expected an integer, got '08'" + OCTAL));
    Path octalRate = toy("octal-rate", "learning_rate: 6.0e-4", "learning_rate: 06.0e-4");
    c.add(new Case("leading zero in a number", train(octalRate.toString()),
        octalRate + ": key 'learning_rate': expected a number, got '06.0e-4'" + OCTAL));
    Path base60 = toy("base60", "sample_steps: 25", "sample_steps: 1:30");
    c.add(new Case("base 60 in a file", train(base60.toString()), base60 + ": key 'sample_steps': expected an integer, got '1:30'" + BASE_60));
    c.add(new Case("base 60 on the command line", train("toy2d", "--cfg_scale", "1:30"), "--cfg_scale: expected a number, got '1:30'" + BASE_60));
    Path yes = toy("yes", "eval_every: 5", "eval_every: yes");
    c.add(new Case("yes for a number", train(yes.toString()), yes + ": key 'eval_every': expected an integer, got 'yes'"));
    Path off = toy("off", "cfg_scale: 1.0", "cfg_scale: off");
    c.add(new Case("off for a number", train(off.toString()), off + ": key 'cfg_scale': expected a number, got 'off'"));
    c.add(new Case("on on the command line", train("toy2d", "--epochs", "on"), "--epochs: expected an integer, got 'on'"));
    c.add(new Case("underscores", train("toy2d", "--eval_samples", "1_000"), "--eval_samples: expected an integer, got '1_000'"));
    // empty and unknown values
    Path empty = toy("empty", "epochs: 20", "epochs:");
    c.add(new Case("empty value in a file", train(empty.toString()), empty + ": key 'epochs': expected an integer, got 'null'"));
    c.add(new Case("empty value on the command line", train("toy2d", "--task", ""), "--task: expected a string, got ''"));
    c.add(new Case("unknown choice", train("toy2d", "--time_sampler", "gaussian"),
        "--time_sampler: expected one of [uniform, sqrt_uniform, cbrt_uniform], got 'gaussian'"));
    // prompt files too large to read
    Path huge = sparse("huge.jsonl", 2L << 30);
    c.add(new Case("2 GB prompt file", train("toy2d", "--prompts", huge.toString()),
        huge + ": the prompt file is 2147483648 bytes, above the limit of 268435456 bytes (256 MiB)"));
    Path oneLine = sparse("one-line.jsonl", 500_000_000);
    c.add(new Case("one line of 500 MB", train("toy2d", "--eval_prompts", oneLine.toString()),
        oneLine + ": the prompt file is 500000000 bytes, above the limit of 268435456 bytes (256 MiB)"));
    return c;
  }

  @Test
  void everyBadValueIsRefusedInOneExactLineAndLeavesTheTreeUntouched() throws Exception {
    List<Case> cases = cases();
    assertTrue(cases.size() >= 30, "cases: " + cases.size());
    assertTrue(HEAP < 16_000_000_000L, "the heap cases need a max heap under 16 GB, not " + HEAP);
    Map<String, String> before = BadInputCorpusTest.snapshot(tree);
    Map<String, Long> bigSizes = Map.of("huge.jsonl", 2L << 30, "one-line.jsonl", 500_000_000L);
    for (Case c : cases) {
      BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(c.args());
      assertEquals("error: " + c.expectedError(), o.err().strip(), c.name());
      assertEquals(1, o.err().strip().lines().count(), c.name());
      assertEquals(2, o.code(), c.name() + ": " + o.err());
      assertEquals(before, BadInputCorpusTest.snapshot(tree), c.name() + " changed the tree");
      for (Map.Entry<String, Long> f : bigSizes.entrySet()) {
        assertEquals(f.getValue(), Files.size(big.resolve(f.getKey())), c.name() + " changed " + f.getKey());
      }
    }
  }

  @Test
  void configsAreReadWithTheYaml12CoreSchema() throws IOException {
    Path file = Files.writeString(tmp.resolve("core.yaml"), TOY_YAML.replace("epochs: 20", "epochs: 0x14")
        .replace("seed: 42", "seed: 0o17").replace("task: toy2d", "task: on").replace("learning_rate: 6.0e-4", "learning_rate: 6e-4")
        .replace("flink_master: \"[local]\"", "flink_master: 2024-01-02"));
    RunConfig config = RunConfig.load(file, Map.of("images_per_prompt", "+12", "runner", "direct"));
    assertEquals(20, config.schedule().epochs());
    assertEquals(15, config.seed());
    assertEquals("on", config.taskName());
    assertEquals(6e-4, config.optimizer().learningRate());
    assertEquals("2024-01-02", config.runtime().flinkMaster());
    assertEquals(12, config.schedule().imagesPerPrompt());
    Path written = Files.writeString(tmp.resolve("resolved.yaml"), config.with("task", "010").toYaml());
    RunConfig back = RunConfig.readResolved(written, "core");
    assertEquals("010", back.taskName());
    assertEquals(config.with("task", "010").resolvedValues(), back.resolvedValues());
  }

  @Test
  void anInternalErrorIsOneLineThatNamesALogHoldingTheStackTrace() throws IOException {
    Path failing = tmp.resolve("failing-run");
    BadInputCorpusTest.Outcome o;
    System.setProperty("ram.fault", "sample@1:ioerror");
    try {
      o = BadInputCorpusTest.ram("train", "toy2d", "--output_dir", failing.toString(), "--runner", "direct", "--epochs", "1",
          "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "1", "--eval_samples", "0");
    } finally {
      System.clearProperty("ram.fault");
    }
    assertEquals(1, o.code(), o.err());
    assertEquals(1, o.err().strip().lines().count(), o.err());
    Matcher m = Pattern.compile("failed: epoch 1 failed, nothing of it is published; rerun the command to resume after epoch 0: "
        + "IOException: injected write failure at sample@1 \\(details: (.+)\\)").matcher(o.err().strip());
    assertTrue(m.matches(), o.err());
    Path log = Path.of(m.group(1));
    assertEquals(failing.resolve("logs"), log.getParent());
    assertTrue(log.getFileName().toString().matches("ram-\\d{8}-\\d{6}-\\d{3}-" + ProcessHandle.current().pid() + "\\.log"), log.toString());
    String trace = Files.readString(log);
    assertTrue(trace.contains("java.io.IOException: injected write failure at sample@1"), trace);
    assertTrue(trace.contains("\tat ram.transforms.FaultInjection.reach("), trace);
    assertTrue(trace.startsWith("ram train toy2d --output_dir " + failing), trace);
  }

  @Test
  void anErrorIsSummedUpByItsTypeAndMessage() {
    assertEquals("OutOfMemoryError: Java heap space", Main.failureSummary(new OutOfMemoryError("Java heap space")));
    assertEquals("NegativeArraySizeException: -2", Main.failureSummary(new RuntimeException("wrapped", new NegativeArraySizeException("-2"))));
    assertEquals("NullPointerException", Main.failureSummary(new NullPointerException()));
  }
}
