package ram.model;

/**
 * Stochastic gradient descent with heavy-ball momentum and decoupled weight decay: each weight
 * moves in proportion to its own gradient. AdamW instead moves every weight by about the learning
 * rate in its first steps, the many weights whose gradient is noise as far as the few that carry
 * the reward; this rule is the experiment that tests whether that is what slows RAM here
 * (docs/post-training.md). With {@code momentum = 0} it is plain gradient descent.
 */
public final class Sgd implements Optimizer {

  private static final long serialVersionUID = 1L;

  private final double learningRate;
  private final double momentum;
  private final double weightDecay;

  public Sgd(double learningRate, double momentum, double weightDecay) {
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    this.learningRate = learningRate;
    this.momentum = momentum;
    this.weightDecay = weightDecay;
  }

  /** {@code buffer = momentum * buffer + gradient; p = p * (1 - lr * wd) - lr * buffer}, as PyTorch's SGD without dampening. */
  @Override
  public State step(ParameterSet parameters, ParameterSet gradient, State state) {
    parameters.requireSameLayout(gradient);
    ParameterSet buffer = state.firstMoment().copy();
    for (String name : parameters.names()) {
      float[] p = parameters.get(name);
      float[] g = gradient.get(name);
      float[] b = buffer.get(name);
      for (int i = 0; i < p.length; i++) {
        b[i] = (float) (momentum * b[i] + g[i]);
        p[i] = (float) (p[i] * (1 - learningRate * weightDecay) - learningRate * b[i]);
      }
    }
    return new State(buffer, state.secondMoment(), state.step() + 1);
  }
}
