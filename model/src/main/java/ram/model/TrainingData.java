package ram.model;

import java.util.List;

/** A source of clean training samples for pretraining, deterministic for a seed. */
public interface TrainingData {

  /** A batch of clean samples with their prompts. */
  record Batch(float[] samples, List<String> prompts) {}

  /** Draws {@code size} samples for the given seed. */
  Batch draw(long seed, int size);
}
