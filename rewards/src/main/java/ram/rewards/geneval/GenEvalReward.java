package ram.rewards.geneval;

import ram.rewards.PerSampleReward;
import ram.rewards.RewardInput;

/**
 * The GenEval reward of the shapes world: the {@link ShapeDetector} finds the objects, the
 * {@link GenEvalScorer} applies GenEval's rules to the sample's metadata (the JSON of one
 * {@code prompts/geneval} line). The reward value is the partial-credit score; {@link #evaluate}
 * also gives strict accuracy and GenEval's "correct" for evaluation reports.
 */
public final class GenEvalReward extends PerSampleReward {

  public static final String NAME = "geneval";
  /**
   * The same judge with strict accuracy as the reward: 1 when every requirement is met, else 0.
   * No partial credit, so drawing one of two requested objects earns nothing (an experiment).
   */
  public static final String STRICT_NAME = "geneval_strict";
  /** Version 1: shapes detector v1 (four features, 32-pixel centres), Flow-GRPO's scoring rules. */
  public static final String VERSION = "1";

  private final ShapeDetector detector = new ShapeDetector();
  private final GenEvalScorer scorer = new GenEvalScorer();
  private final boolean strict;

  /** The partial-credit reward ({@value #NAME}). */
  public GenEvalReward() {
    this(false);
  }

  /** The partial-credit reward, or with {@code strict} the strict-accuracy one ({@value #STRICT_NAME}). */
  public GenEvalReward(boolean strict) {
    super(strict ? STRICT_NAME : NAME, VERSION);
    this.strict = strict;
  }

  @Override
  public void checkPrompt(String promptJson, String where) {
    GenEvalPrompt.parse(promptJson, ShapeClass.words(), where);
  }

  @Override
  protected double scoreOne(RewardInput in) {
    GenEvalScore score = evaluate(in);
    return strict ? (score.strict() ? 1 : 0) : score.score();
  }

  /**
   * Scores one sample with every GenEval measure.
   *
   * @throws IllegalArgumentException if the image or the metadata is invalid (the message says why)
   */
  public GenEvalScore evaluate(RewardInput in) {
    return scorer.score(prompt(in), detector.detect(in.data(), in.shape()));
  }

  /**
   * What the image shows for a prompt asking for one object each of two classes (see
   * {@link PairOutcome}); null for any other prompt.
   *
   * @throws IllegalArgumentException if the image or the metadata is invalid (the message says why)
   */
  public PairOutcome pairOutcome(RewardInput in) {
    GenEvalPrompt prompt = prompt(in);
    return PairOutcome.applies(prompt) ? PairOutcome.of(prompt, detector.detect(in.data(), in.shape())) : null;
  }

  private static GenEvalPrompt prompt(RewardInput in) {
    if (in.metadataJson() == null || in.metadataJson().isBlank()) {
      throw new IllegalArgumentException("GenEval metadata (tag, include) is missing");
    }
    return GenEvalPrompt.parse(in.metadataJson(), ShapeClass.words(), "metadata");
  }
}
