package ram.rewards.geneval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ram.rewards.PromptFiles;
import ram.rewards.TestFiles;

/** The committed GenEval prompt sets: up to date, proportional, disjoint, valid. */
class GenEvalPromptsTest {

  private static List<GenEvalPrompt> read(Path file) {
    return PromptFiles.read(file, (line, where) -> GenEvalPrompt.parse(line, ShapeClass.words(), where));
  }

  @Test
  void committedFilesAreTheGeneratorOutput() throws Exception {
    Path dir = TestFiles.repo().resolve("prompts/geneval");
    GenEvalPromptGenerator.Split split = GenEvalPromptGenerator.generate(GenEvalPromptGenerator.SEED, GenEvalPromptGenerator.TRAIN_SIZE, GenEvalPromptGenerator.TEST_SIZE);
    assertEquals(split.train().stream().map(p -> p.toJson().toString()).toList(), Files.readAllLines(dir.resolve("train.jsonl")));
    assertEquals(split.test().stream().map(p -> p.toJson().toString()).toList(), Files.readAllLines(dir.resolve("test.jsonl")));
    List<GenEvalPrompt> train = read(dir.resolve("train.jsonl"));
    List<GenEvalPrompt> test = read(dir.resolve("test.jsonl"));
    assertEquals(split.train(), train);
    assertEquals(split.test(), test);
  }

  @Test
  void setsKeepGenEvalProportionsAndShareNoPrompt() {
    Path dir = TestFiles.repo().resolve("prompts/geneval");
    List<GenEvalPrompt> train = read(dir.resolve("train.jsonl"));
    List<GenEvalPrompt> test = read(dir.resolve("test.jsonl"));
    assertEquals(Map.of(GenEvalTag.SINGLE_OBJECT, 29, GenEvalTag.TWO_OBJECT, 36, GenEvalTag.COUNTING, 29,
        GenEvalTag.COLORS, 34, GenEvalTag.POSITION, 36, GenEvalTag.COLOR_ATTR, 36), GenEvalPromptGenerator.countByTag(test));
    assertEquals(145, GenEvalPromptGenerator.countByTag(train).get(GenEvalTag.SINGLE_OBJECT));
    Set<String> trainTexts = new HashSet<>();
    train.forEach(p -> trainTexts.add(p.prompt()));
    test.forEach(p -> assertTrue(!trainTexts.contains(p.prompt()), "shared prompt " + p.prompt()));
    Set<String> classes = new HashSet<>();
    Set<String> colors = new HashSet<>();
    train.forEach(p -> p.include().forEach(i -> {
      classes.add(i.className());
      if (i.color() != null) {
        colors.add(i.color());
      }
    }));
    assertEquals(ShapeClass.words(), classes);
    assertEquals(10, colors.size());
  }

  @Test
  void unknownClassInAPromptFileNamesFileLineAndKey(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"prompt\":\"a photo of a circle\",\"tag\":\"single_object\",\"include\":[{\"class\":\"circle\",\"count\":1}]}\n"
        + "{\"prompt\":\"a photo of a dog\",\"tag\":\"single_object\",\"include\":[{\"class\":\"dog\",\"count\":1}]}\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(file));
    assertTrue(e.getMessage().contains("bad.jsonl:2") && e.getMessage().contains("include[0].class") && e.getMessage().contains("dog"), e.getMessage());
  }

  @Test
  void malformedMetadataIsRejectedWithTheKey() {
    Set<String> known = ShapeClass.words();
    assertThrows(IllegalArgumentException.class, () -> GenEvalPrompt.parse("{\"tag\":\"nope\",\"include\":[{\"class\":\"circle\",\"count\":1}]}", known, "x"));
    assertThrows(IllegalArgumentException.class, () -> GenEvalPrompt.parse("{\"tag\":\"colors\",\"include\":[]}", known, "x"));
    assertThrows(IllegalArgumentException.class, () -> GenEvalPrompt.parse("{\"tag\":\"colors\",\"include\":[{\"class\":\"circle\",\"count\":1,\"color\":\"teal\"}]}", known, "x"));
    assertThrows(IllegalArgumentException.class, () -> GenEvalPrompt.parse("{\"tag\":\"position\",\"include\":[{\"class\":\"circle\",\"count\":1,\"position\":[\"left of\",0]}]}", known, "x"));
    assertThrows(IllegalArgumentException.class, () -> GenEvalPrompt.parse("{\"tag\":\"counting\",\"include\":[{\"class\":\"circle\",\"count\":0}]}", known, "x"));
    assertThrows(IllegalArgumentException.class, () -> GenEvalPrompt.parse("not json", known, "x"));
    assertThrows(IllegalArgumentException.class, () -> GenEvalPrompt.parse("{\"tag\":\"counting\",\"include\":[\"circle\"]}", known, "x"));
  }
}
