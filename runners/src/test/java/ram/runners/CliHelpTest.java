package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.ConfigKeys;

/**
 * The command line's help and its parse errors: each command's {@code --help} lists its options and
 * the config keys it reads by section, with default and doc; {@code help} lists every command; an
 * option or command ram does not have is refused in one line with exit code 2.
 */
class CliHelpTest {

  @TempDir Path tmp;

  private static final List<String> COMMANDS = List.of("train", "pretrain", "validate", "runs", "evaluate", "sample", "rescore", "export",
      "weights", "compare", "bench", "flink", "help");

  /** The text with every run of whitespace (line breaks and the help's wrapping indents) as one space. */
  private static String flat(String text) {
    return text.replaceAll("\\s+", " ");
  }

  @Test
  void trainHelpListsTheConfigKeysBySectionWithDefaultAndDoc() {
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("train", "--help");
    assertEquals(0, o.code(), o.err());
    assertEquals("", o.err());
    String help = flat(o.out());
    assertTrue(help.contains("<config>"), help);
    assertTrue(help.contains("--output_dir=<path>"), help);
    int ram = help.indexOf(" RAM (docs/algorithm.md section 3): ");
    int renoisings = help.indexOf("--renoisings=<int> K: re-noisings of each endpoint in the update (default: 4)");
    int flowGrpo = help.indexOf(" Flow-GRPO (docs/algorithm.md section 5): ");
    assertTrue(ram >= 0 && renoisings > ram && flowGrpo > renoisings, "renoisings under its section title: " + help);
    for (ConfigKeys.Key k : ConfigKeys.all()) { // every key, with its doc
      assertTrue(help.contains("--" + k.name() + "=") && help.contains(flat(k.doc())), k.name() + " in " + help);
    }
    assertEquals(o.out(), BadInputCorpusTest.ram("help", "train").out(), "./ram help train is ./ram train --help");
  }

  @Test
  void storeCommandsListTheirOptionsAndOnlyTheRunnerKeys() {
    BadInputCorpusTest.Outcome export = BadInputCorpusTest.ram("export", "--help");
    assertEquals(0, export.code(), export.err());
    String help = flat(export.out());
    for (String option : List.of("--to=DIR", "--format=", "--epochs=RANGE", "--min_reward=NAME=VALUE", "--runner=<flink|direct>",
        "--parallelism=<int>")) {
      assertTrue(help.contains(option), option + " in " + help);
    }
    assertFalse(help.contains("--renoisings"), help);
    BadInputCorpusTest.Outcome evaluate = BadInputCorpusTest.ram("evaluate", "-h");
    assertEquals(0, evaluate.code(), evaluate.err());
    assertTrue(flat(evaluate.out()).contains("--eval_samples=<int> in-run evaluation samples"), evaluate.out());
    assertFalse(evaluate.out().contains("--renoisings"), evaluate.out());
  }

  @Test
  void helpListsEveryCommandAndNoArgumentsIsBadInput() {
    for (String[] args : List.of(new String[] {"help"}, new String[] {"--help"})) {
      BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(args);
      assertEquals(0, o.code(), o.err());
      for (String command : COMMANDS) {
        assertTrue(o.out().lines().anyMatch(l -> l.startsWith("  " + command + " ")), command + " in " + o.out());
      }
    }
    BadInputCorpusTest.Outcome none = BadInputCorpusTest.ram();
    assertEquals(2, none.code());
    assertTrue(none.out().startsWith("Usage: ram"), none.out());
  }

  @Test
  void aKebabCaseOptionIsRefusedNamingTheSnakeCaseOne() {
    Path to = tmp.resolve("export");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("export", tmp.toString(), "--to", to.toString(), "--min-reward", "toy2d=0.5");
    assertEquals(2, o.code(), o.err());
    assertEquals("error: export: unknown option --min-reward; options and config keys are snake_case: --min_reward "
        + "(see ./ram export --help)", o.err().strip());
    assertFalse(Files.exists(to));
  }

  @Test
  void parseErrorsAreOneLineWithExitCode2() {
    record Case(String[] args, String line) {}
    List<Case> cases = List.of(
        new Case(new String[] {"frobnicate"}, "error: unknown command 'frobnicate'"),
        new Case(new String[] {"train"}, "error: train: missing required parameter: '<config>'"),
        new Case(new String[] {"train", "toy2d", "--epochs"}, "error: train: argument --epochs: missing its value"),
        new Case(new String[] {"train", "toy2d", "--learning_rat=1e-4"}, "error: --learning_rat: unknown key 'learning_rat'"),
        new Case(new String[] {"sample", "--prompt", "a dog", "--bogus", "1"}, "error: sample: unknown options: '--bogus', '1'"),
        new Case(new String[] {"sample", "--prompt", "a dog", "--n", "many"}, "error: sample: invalid value for option '--n': 'many'"),
        new Case(new String[] {"runs", "a", "b"}, "error: runs: unmatched argument at index 2: 'b'"),
        new Case(new String[] {"flink", "stop", "--slots", "2"}, "error: flink stop: unknown options: '--slots', '2'"),
        new Case(new String[] {"export", "x"}, "error: export: missing required option: '--to=DIR'"));
    for (Case c : cases) {
      BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(c.args());
      String what = String.join(" ", c.args()) + ": " + o.err();
      assertEquals(2, o.code(), what);
      assertEquals(1, o.err().strip().lines().count(), what);
      assertTrue(o.err().startsWith(c.line()), what);
      assertEquals("", o.out(), what);
    }
  }

  @Test
  void configKeysTakeEitherFormAndTheLastOneWins() {
    Path out = tmp.resolve("run");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("validate", "toy2d", "--output_dir=" + out, "--epochs", "7", "--epochs=3",
        "--images_per_prompt=-8");
    assertEquals(2, o.code(), o.out());
    assertEquals("error: --images_per_prompt: expected a positive integer, got -8", o.err().strip());
    o = BadInputCorpusTest.ram("validate", "toy2d", "--output_dir=" + out, "--epochs", "7", "--epochs=3");
    assertEquals(0, o.code(), o.err() + o.out());
    assertTrue(o.out().lines().anyMatch(l -> l.matches("\\s+epochs\\s+3\\s+set")), o.out());
    assertTrue(o.out().contains(out.toString()), o.out());
    assertFalse(Files.exists(out), "validate writes nothing");
  }
}
