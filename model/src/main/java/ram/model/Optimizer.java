package ram.model;

import java.io.Serializable;

/**
 * One optimizer step on the heap, so that its state is part of every checkpoint and the step is
 * identical on every engine. Post-training chooses the rule ({@code optimizer: adamw | sgd});
 * every rule keeps its state in the same two moments, so checkpoints have one layout.
 */
public interface Optimizer extends Serializable {

  /** The config's {@code optimizer} values. */
  enum Kind {
    /** {@link AdamW}: every weight moves by about the learning rate, whatever its gradient's size (the reference's) */
    ADAMW,
    /** {@link Sgd}: every weight moves in proportion to its gradient (an experiment: docs/post-training.md) */
    SGD;

    public static Kind parse(String s) {
      return ConfigNames.parse(values(), s, "optimizer");
    }
  }

  /**
   * Moments and step count; starts at zero. AdamW keeps both moments; SGD keeps its momentum
   * buffer in the first and leaves the second at zero.
   */
  record State(ParameterSet firstMoment, ParameterSet secondMoment, long step) {

    public static State zerosLike(ParameterSet parameters) {
      return new State(parameters.zerosLike(), parameters.zerosLike(), 0);
    }
  }

  /** One step: updates {@code parameters} in place and returns the new optimizer state. */
  State step(ParameterSet parameters, ParameterSet gradient, State state);
}
