package ram.config;

import java.io.Serializable;

/**
 * The algorithm and the budget of each epoch.
 *
 * @param algorithm the post-training algorithm's name ({@code ram} or {@code flow_grpo})
 * @param epochs epochs of the run, one pipeline each
 * @param promptsPerEpoch P: prompts (groups) sampled per epoch
 * @param imagesPerPrompt G: samples per prompt
 * @param optimizerSteps chained gradient stages per epoch
 * @param gradientShards data-parallel shards of each gradient stage
 */
public record ScheduleSettings(String algorithm, int epochs, int promptsPerEpoch, int imagesPerPrompt, int optimizerSteps,
    int gradientShards) implements Serializable {}
