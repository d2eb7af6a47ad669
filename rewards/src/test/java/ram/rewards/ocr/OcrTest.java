package ram.rewards.ocr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import ram.rewards.PromptFiles;
import ram.rewards.RewardInput;
import ram.rewards.RewardResult;
import ram.rewards.TestFiles;
import ram.rewards.image.ImageTensors;

/** Flow-GRPO's OCR formula on string pairs, the prompt sets, and validity on renders. */
class OcrTest {

  @Test
  void formulaMatchesTheReference() {
    assertEquals(1.0, OcrFormula.reward("CAT", "cat"), 0.0, "case is ignored");
    assertEquals(1.0, OcrFormula.reward("HELLO WORLD", "helloworld"), 0.0, "spaces are ignored");
    assertEquals(1.0, OcrFormula.reward("CAT", "xxCATyy"), 0.0, "a substring scores full");
    assertEquals(1 - 1 / 3.0, OcrFormula.reward("CAT", "CAR"), 1e-12);
    assertEquals(0.0, OcrFormula.reward("CAT", ""), 0.0, "empty recognition costs the full length");
    assertEquals(0.0, OcrFormula.reward("AB", "XYZWVU"), 0.0, "distance is capped at the target length");
    assertEquals(1 - 1 / 4.0, OcrFormula.reward("A B C D", "abd"), 1e-12);
    assertEquals(3, OcrFormula.levenshtein("kitten", "sitting"));
    assertEquals("CAT", OcrFormula.targetText("a sign that reads \"CAT\" and \"DOG\""));
    assertThrows(IllegalArgumentException.class, () -> OcrFormula.targetText("a sign that reads CAT"));
    assertThrows(IllegalArgumentException.class, () -> OcrFormula.targetText("a sign that reads \"CAT"));
    assertThrows(IllegalArgumentException.class, () -> OcrFormula.targetText("a sign that reads \" \""));
  }

  @Test
  void committedPromptFilesAreTheGeneratorOutputAndDisjoint() throws Exception {
    Path dir = TestFiles.repo().resolve("prompts/ocr");
    OcrPromptGenerator.Split split = OcrPromptGenerator.generate(OcrPromptGenerator.SEED, OcrPromptGenerator.TRAIN_SIZE, OcrPromptGenerator.TEST_SIZE);
    assertEquals(split.train().stream().map(p -> p.toJson().toString()).toList(), Files.readAllLines(dir.resolve("train.jsonl")));
    assertEquals(split.test().stream().map(p -> p.toJson().toString()).toList(), Files.readAllLines(dir.resolve("test.jsonl")));
    List<OcrPrompt> train = PromptFiles.read(dir.resolve("train.jsonl"), OcrPrompt::parse);
    Set<String> words = new HashSet<>();
    train.forEach(p -> words.add(p.text()));
    for (OcrPrompt p : PromptFiles.read(dir.resolve("test.jsonl"), OcrPrompt::parse)) {
      assertTrue(!words.contains(p.text()), p.text());
      assertTrue(p.text().matches("[A-HJ-NP-Z]{2,6}"), p.text());
    }
    assertThrows(IllegalArgumentException.class, () -> OcrPrompt.parse("{\"prompt\":\"no quotes\"}", "f:3"));
  }

  @Test
  void groundTruthRendersScoreHighAndWrongTextLow() {
    List<OcrPrompt> test = PromptFiles.read(TestFiles.repo().resolve("prompts/ocr/test.jsonl"), OcrPrompt::parse);
    TextRenderer renderer = new TextRenderer();
    Random random = new Random(21);
    List<RewardInput> right = new ArrayList<>();
    List<RewardInput> wrong = new ArrayList<>();
    for (OcrPrompt p : test) {
      var image = renderer.render(p.text(), random);
      right.add(new RewardInput(p.text(), ImageTensors.toTensor(image), ImageTensors.shapeOf(image), p.prompt(), null));
      var other = renderer.render(OcrPromptGenerator.randomWord(random), random);
      wrong.add(new RewardInput(p.text(), ImageTensors.toTensor(other), ImageTensors.shapeOf(other), p.prompt(), null));
    }
    try (OcrReward reward = new OcrReward()) {
      double mean = reward.score(right).stream().mapToDouble(RewardResult::value).average().orElseThrow();
      double wrongMean = reward.score(wrong).stream().mapToDouble(RewardResult::value).average().orElseThrow();
      System.out.printf("VALIDITY ocr ground-truth renders=%d mean_reward=%.4f wrong-text mean_reward=%.4f%n", test.size(), mean, wrongMean);
      assertTrue(mean >= 0.95, "mean OCR reward " + mean);
      assertTrue(wrongMean <= 0.2, "wrong text scores " + wrongMean);
      assertEquals(test.get(0).text(), reward.read(right.get(0).data(), right.get(0).shape()).trim());
    }
  }
}
