package ram.config;

import java.io.Serializable;
import java.util.SortedMap;

/**
 * The held-out evaluation of a run and of {@code ./ram evaluate}.
 *
 * @param samples in-run evaluation samples (0 = none)
 * @param steps Euler steps of evaluation samples
 * @param seed seed of the evaluation noise, fixed across epochs
 * @param prompts held-out prompts as written in the config, or null: the training prompts
 * @param imagesPerPrompt {@code ./ram evaluate}: images per held-out prompt
 * @param every evaluate every this many epochs (0 = only before and after)
 * @param rewards what the evaluation scores: {@code eval_rewards}, else the run's rewards (null where neither is set)
 */
public record EvaluationSettings(int samples, int steps, long seed, String prompts, int imagesPerPrompt, int every,
    SortedMap<String, Double> rewards) implements Serializable {}
