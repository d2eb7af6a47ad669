package ram.rewards.geneval;

/**
 * Everything GenEval says about one image.
 *
 * @param tag the prompt's category, for per-tag reports
 * @param score the partial-credit score used as the training reward (may be negative)
 * @param strict strict accuracy: every include clause matched exactly
 * @param correct GenEval's evaluation metric: at least n among the most confident n, excludes applied
 * @param reason why the image is not strictly correct ("" when it is)
 */
public record GenEvalScore(GenEvalTag tag, double score, boolean strict, boolean correct, String reason) {}
