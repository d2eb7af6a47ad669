package ram.rewards.geneval;

/**
 * One GenEval {@code exclude} clause: the image is wrong if it shows {@code count} or more objects
 * of {@code className} (used by counting prompts: exactly n means fewer than n + 1).
 *
 * @param className the object class
 * @param count the forbidden count
 */
public record ExcludeItem(String className, int count) {}
