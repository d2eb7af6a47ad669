package ram.model;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A test double, not a model: the velocity {@code v(x, t) = w x} with one scalar parameter
 * {@code w}, whatever the time and prompt. Its outputs and its gradient in {@code w} can be worked
 * out by hand, so the losses built on it can be checked against written-out numbers.
 */
final class ScaledInputVelocity implements VelocityNetwork {

  private final int[] sampleShape;

  ScaledInputVelocity(int... sampleShape) {
    this.sampleShape = sampleShape;
  }

  /** The parameter set with {@code w} = {@code value}. */
  static ParameterSet weight(float value) {
    return new ParameterSet().put("w", new int[] {1}, new float[] {value});
  }

  @Override public String architecture() { return "scaled-input"; }
  @Override public int[] sampleShape() { return sampleShape.clone(); }
  @Override public boolean conditional() { return false; }
  @Override public ParameterSet initialize(long seed) { return weight(1f); }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts) {
    return x.mul(parameters.get(0));
  }
}
