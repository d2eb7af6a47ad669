package ram.config;

import java.io.Serializable;
import java.util.SortedMap;

/**
 * What a run is about: its prompt world, training prompts, and rewards.
 *
 * @param task the prompt world (names {@code prompts/<task>/} and the evaluation)
 * @param prompts the training prompt set as written in the config, or null where the config has none
 * @param rewards reward names with their weights in the training reward
 * @param maxRewardFailures the share of an epoch's samples whose reward may fail before the epoch fails
 */
public record TaskSettings(String task, String prompts, SortedMap<String, Double> rewards, double maxRewardFailures)
    implements Serializable {}
