package ram.rewards.geneval;

import java.util.List;

/**
 * What an image shows for a prompt that asks for one object each of two different classes (most
 * two-object, position and colour-attribution prompts): both classes, one of them twice and the
 * other not at all, one of them once, or neither. It separates binding (both drawn) from the
 * hedge a partial-credit reward pays for: one object scores 0.5, one class twice scores 0.
 */
public enum PairOutcome {
  BOTH, ONE_TWICE, ONE_ONCE, NEITHER;

  /** The metric word, e.g. {@code one_twice}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** True when the prompt asks for exactly one object of each of two different classes. */
  public static boolean applies(GenEvalPrompt prompt) {
    List<IncludeItem> items = prompt.include();
    return items.size() == 2 && items.get(0).count() == 1 && items.get(1).count() == 1
        && !items.get(0).className().equals(items.get(1).className());
  }

  /**
   * The outcome from detections above GenEval's threshold (colour and position are not judged).
   *
   * @throws IllegalArgumentException if the prompt is not a pair prompt ({@link #applies})
   */
  public static PairOutcome of(GenEvalPrompt prompt, List<Detection> detections) {
    if (!applies(prompt)) {
      throw new IllegalArgumentException("not a prompt for one object each of two classes: " + prompt.prompt());
    }
    int first = count(detections, prompt.include().get(0).className());
    int second = count(detections, prompt.include().get(1).className());
    if (first >= 1 && second >= 1) {
      return BOTH;
    }
    if (Math.max(first, second) >= 2) {
      return ONE_TWICE;
    }
    return first + second == 1 ? ONE_ONCE : NEITHER;
  }

  private static int count(List<Detection> detections, String className) {
    int n = 0;
    for (Detection d : detections) {
      if (d.className().equals(className) && d.confidence() > GenEvalScorer.THRESHOLD) {
        n++;
      }
    }
    return n;
  }
}
