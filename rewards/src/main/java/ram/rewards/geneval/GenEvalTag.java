package ram.rewards.geneval;

/**
 * GenEval's six prompt categories, with their share of GenEval's 553 prompts (the proportions the
 * prompt sets keep).
 */
public enum GenEvalTag {
  SINGLE_OBJECT(80),
  TWO_OBJECT(99),
  COUNTING(80),
  COLORS(94),
  POSITION(100),
  COLOR_ATTR(100);

  /** Number of prompts of this tag among GenEval's 553. */
  public final int genEvalCount;

  GenEvalTag(int genEvalCount) {
    this.genEvalCount = genEvalCount;
  }

  /** The metadata word, e.g. {@code color_attr}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The tag with this metadata word, or null. */
  public static GenEvalTag byWord(String word) {
    for (GenEvalTag t : values()) {
      if (t.word().equals(word)) {
        return t;
      }
    }
    return null;
  }
}
