package ram.model;

import java.io.Serializable;

/**
 * One optimizer step on the heap, so that its state is part of every checkpoint and the step is
 * identical on every engine ({@link AdamW}, the reference's rule).
 */
public interface Optimizer extends Serializable {

  /** Moments and step count; starts at zero. */
  record State(ParameterSet firstMoment, ParameterSet secondMoment, long step) {

    public static State zerosLike(ParameterSet parameters) {
      return new State(parameters.zerosLike(), parameters.zerosLike(), 0);
    }
  }

  /** One step: updates {@code parameters} in place and returns the new optimizer state. */
  State step(ParameterSet parameters, ParameterSet gradient, State state);
}
