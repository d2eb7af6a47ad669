package ram.config;

import java.io.Serializable;

/**
 * Pretraining a base by flow matching ({@code ./ram pretrain}).
 *
 * @param steps optimizer steps
 * @param batchSize batch size
 * @param learningRate peak learning rate
 * @param seed seed of initialisation and data
 * @param weightDecay AdamW decoupled weight decay
 * @param warmupSteps linear warm-up steps, then {@code schedule}
 * @param schedule the learning rate after the warm-up: {@code cosine} (decay to 10%) or {@code constant}
 * @param promptDropout share of prompts replaced by ""
 * @param emaDecay per-step EMA decay of the shipped weights (0: the last step's weights)
 * @param shapesShare share of shapes-world items (image model)
 * @param words text items ask for the training prompts' words ({@code train}) or fresh random words ({@code fresh})
 * @param checkpointEvery steps between resumable checkpoints in {@code dir}
 * @param init the checkpoint to continue from, as written, or null: a random initialisation
 * @param initOnly comma-separated parameter-name prefixes taken from {@code init}, or null: all
 * @param dir the resumable state directory, as written, or null: no checkpoints before the base
 */
public record PretrainSettings(int steps, int batchSize, double learningRate, long seed, double weightDecay, int warmupSteps,
    String schedule, double promptDropout, double emaDecay, double shapesShare, String words, int checkpointEvery, String init,
    String initOnly, String dir) implements Serializable {}
