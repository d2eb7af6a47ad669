package ram.model;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): the optimizer of pretraining and of
 * the reference's post-training. With {@code weightDecay = 0} it is plain Adam.
 */
public final class AdamW implements Optimizer {

  private static final long serialVersionUID = 1L;

  private final double learningRate;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double weightDecay;

  public AdamW(double learningRate, double beta1, double beta2, double epsilon, double weightDecay) {
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate must be > 0, got " + learningRate);
    }
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.weightDecay = weightDecay;
  }

  /** PyTorch's defaults for the moments and epsilon. */
  public static AdamW of(double learningRate, double weightDecay) {
    return new AdamW(learningRate, 0.9, 0.999, 1e-8, weightDecay);
  }

  @Override
  public State step(ParameterSet parameters, ParameterSet gradient, State state) {
    parameters.requireSameLayout(gradient);
    ParameterSet m = state.firstMoment().copy();
    ParameterSet v = state.secondMoment().copy();
    long step = state.step() + 1;
    double correction1 = 1 - Math.pow(beta1, step);
    double correction2 = 1 - Math.pow(beta2, step);
    for (String name : parameters.names()) {
      float[] p = parameters.get(name);
      float[] g = gradient.get(name);
      float[] mv = m.get(name);
      float[] vv = v.get(name);
      for (int i = 0; i < p.length; i++) {
        double grad = g[i];
        mv[i] = (float) (beta1 * mv[i] + (1 - beta1) * grad);
        vv[i] = (float) (beta2 * vv[i] + (1 - beta2) * grad * grad);
        double update = (mv[i] / correction1) / (Math.sqrt(vv[i] / correction2) + epsilon);
        p[i] = (float) (p[i] * (1 - learningRate * weightDecay) - learningRate * update);
      }
    }
    return new State(m, v, step);
  }
}
