package ram.model;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A velocity field {@code v(x, t, prompt)} whose parameters live outside it.
 *
 * <p>The network is a pure function of its parameters, so the policy, the frozen reference and
 * the lagged EMA policy are three {@link ParameterSet}s of one network, and losses, samplers and
 * pipelines never depend on how the network is built. The built-in tiny networks are one
 * implementation; an imported TorchScript model on a GPU can be another.
 */
public interface VelocityNetwork {

  /** Identifier of the architecture and its hyper-parameters, recorded in checkpoints. */
  String architecture();

  /** Shape of one sample, e.g. {@code [2]} or {@code [3, 32, 32]}. */
  int[] sampleShape();

  /** Whether the network reads the prompt (and so whether classifier-free guidance applies). */
  boolean conditional();

  /** Fresh parameters, deterministic for a seed. */
  ParameterSet initialize(long seed);

  /**
   * The velocity for a batch.
   *
   * @param parameters engine arrays in the order of {@link #initialize(long)}'s names
   * @param x noisy samples, {@code [B, ...sampleShape]}
   * @param t times in [0, 1], {@code [B]}
   * @param prompts one prompt per row; the empty string is the unconditional prompt
   */
  NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts);

  /**
   * The part of the forward pass that depends on the prompts and parameters only (a text
   * encoder's output), computed once so that a sampler can reuse it at every step; null when
   * there is none. Arrays belong to the parameters' manager.
   */
  default Object encodePrompts(NDList parameters, List<String> prompts) {
    return null;
  }

  /** {@link #velocity(NDList, NDArray, NDArray, List)} with prompts already encoded by {@link #encodePrompts}. */
  default NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts, Object encoded) {
    return velocity(parameters, x, t, prompts);
  }

  /**
   * The gradient a backward pass left for {@code parameters}, the arrays of {@code layout} that a
   * forward pass with gradients was given, as heap values in {@code layout}'s names and shapes.
   * Networks that compute with arrays of their own (a TorchScript module) read them there.
   */
  default ParameterSet gradient(ParameterSet layout, NDList parameters) {
    NDList grads = new NDList();
    for (NDArray p : parameters) {
      grads.add(p.getGradient());
    }
    return ParameterSet.fromNDList(layout, grads);
  }

  /** The shape of what a reward sees of one sample: the sample itself, or a latent model's decoded image. */
  default int[] imageShape() {
    return sampleShape();
  }

  /**
   * What a reward sees of {@code count} samples, {@code [count, ...imageShape]} flattened: the
   * samples themselves, or for a latent model its decoder's RGB images in [-1, 1].
   */
  default float[] images(float[] samples, int count) {
    return samples;
  }

  /** Whether samples are latents that {@link #images} decodes (and so whether a store keeps images beside them). */
  default boolean decodes() {
    return false;
  }

  /** Number of scalars in one sample. */
  default int sampleSize() {
    int n = 1;
    for (int d : sampleShape()) {
      n *= d;
    }
    return n;
  }
}
