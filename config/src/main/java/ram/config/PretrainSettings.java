package ram.config;

import java.io.Serializable;

/**
 * Pretraining a base by flow matching ({@code ./ram pretrain}).
 *
 * @param steps optimizer steps
 * @param batchSize batch size
 * @param learningRate peak learning rate
 * @param seed seed of initialisation and data
 * @param weightDecay AdamW decoupled weight decay (image model)
 * @param warmupSteps linear warm-up steps, then cosine decay to 10% (image model)
 * @param promptDropout share of prompts replaced by "" (image model)
 * @param emaDecay per-step EMA decay of the shipped weights (image model)
 * @param shapesShare share of shapes-world items (image model)
 * @param words text items ask for the training prompts' words ({@code train}) or fresh random words ({@code fresh})
 * @param checkpointEvery steps between resumable checkpoints (image model)
 * @param init the checkpoint to continue from, as written, or null: a random initialisation
 * @param initOnly comma-separated parameter-name prefixes taken from {@code init}, or null: all
 * @param dir the resumable state directory, as written, or null
 */
public record PretrainSettings(int steps, int batchSize, double learningRate, long seed, double weightDecay, int warmupSteps,
    double promptDropout, double emaDecay, double shapesShare, String words, int checkpointEvery, String init, String initOnly,
    String dir) implements Serializable {}
