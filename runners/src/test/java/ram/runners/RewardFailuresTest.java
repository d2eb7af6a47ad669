package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import ram.config.RunConfig;
import ram.runners.train.RewardFailures;
import ram.schemas.Reward;

/**
 * When an epoch's reward failures are too many ({@code max_reward_failures}): more than the
 * fraction, or every sample; only the training reward's rows count, and the first error is the
 * failed sample's with the smallest id, whatever order the rows come in.
 */
class RewardFailuresTest {

  static Reward row(String reward, int sample, boolean failed) {
    String id = String.format("e000003-p%05d-g000", sample);
    return Reward.newBuilder().setSampleId(id).setEpoch(3).setPromptId("p").setRewardName(reward).setRewardVersion("1")
        .setValue(failed ? null : 0.25).setError(failed ? "cannot score " + id : null).build();
  }

  /** Eight samples of {@code reward}, the first {@code failed} of them errors, written last to first; and eight good rows of another reward. */
  static RewardFailures eight(int failed) {
    List<GenericRecord> rows = new ArrayList<>();
    for (int sample = 7; sample >= 0; sample--) {
      rows.add(row("toy2d", sample, sample < failed));
      rows.add(row("weighted", sample, false));
    }
    return RewardFailures.of("toy2d", rows);
  }

  record Case(int failed, double maxFraction, boolean tooMany) {}

  @Test
  void anEpochFailsAboveTheFractionOrWhenEverySampleFailed() {
    List<Case> cases = List.of(new Case(0, 0.0, false), new Case(1, 0.0, true), new Case(4, 0.5, false), new Case(5, 0.5, true),
        new Case(2, 0.25, false), new Case(3, 0.25, true), new Case(7, 1.0, false), new Case(8, 1.0, true));
    for (Case c : cases) {
      assertEquals(c.tooMany(), eight(c.failed()).tooMany(c.maxFraction()), c.toString());
    }
  }

  @Test
  void theMessageNamesTheRewardTheCountAndTheFirstError() {
    RewardFailures five = eight(5);
    assertEquals(new RewardFailures("toy2d", 5, 8, "cannot score e000003-p00000-g000"), five);
    assertEquals("epoch 3: reward toy2d failed on 5 of 8 samples (first error: cannot score e000003-p00000-g000)", five.message(3));
  }

  @Test
  void theFractionDefaultsToOneHalfAndMayNotExceedOne() throws Exception {
    RunConfig toy = RunConfig.load(BadInputCorpusTest.HOME.resolve("configs/toy2d.yaml"), Map.of());
    assertEquals(0.5, RewardFailures.maxFraction(toy));
    assertEquals(0.0, RewardFailures.maxFraction(toy.withOverride("max_reward_failures", "0")));
    assertEquals(1.0, RewardFailures.maxFraction(toy.withOverride("max_reward_failures", "1")));
  }
}
