package ram.rewards.ocr;

/**
 * Flow-GRPO's OCR reward rule (docs/algorithm.md section 6) on strings.
 *
 * <p>The target is the text between the first pair of double quotes of the prompt. Both strings
 * lose their spaces and are lower-cased; a target contained in the recognised text scores 1,
 * otherwise the Levenshtein distance, capped at the target length, gives
 * {@code 1 - distance / length}. An empty recognition therefore scores 0, and extra recognised
 * characters around the target are free (a known property of the reference rule).
 */
public final class OcrFormula {

  private OcrFormula() {}

  /**
   * The target text of a prompt: what stands between its first two double quotes.
   *
   * @throws IllegalArgumentException if the prompt has no pair of double quotes or the quoted text
   *     has no character other than spaces
   */
  public static String targetText(String prompt) {
    int open = prompt == null ? -1 : prompt.indexOf('"');
    int close = open < 0 ? -1 : prompt.indexOf('"', open + 1);
    if (close < 0) {
      throw new IllegalArgumentException("OCR prompt has no text between double quotes: " + prompt);
    }
    String target = prompt.substring(open + 1, close);
    if (normalise(target).isEmpty()) {
      throw new IllegalArgumentException("OCR prompt quotes an empty text: " + prompt);
    }
    return target;
  }

  /** The reward of a recognised text for a target text, in [0, 1]. */
  public static double reward(String target, String recognised) {
    String t = normalise(target);
    String r = normalise(recognised == null ? "" : recognised);
    if (t.isEmpty()) {
      throw new IllegalArgumentException("empty OCR target");
    }
    int distance = r.contains(t) ? 0 : Math.min(levenshtein(r, t), t.length());
    return 1.0 - distance / (double) t.length();
  }

  /** Removes spaces and lower-cases, as the reference does before comparing. */
  static String normalise(String text) {
    return text.replace(" ", "").toLowerCase(java.util.Locale.ROOT);
  }

  /** The edit distance (insertions, deletions, substitutions) between two strings. */
  public static int levenshtein(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
