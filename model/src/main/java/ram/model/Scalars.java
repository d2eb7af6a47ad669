package ram.model;

import ai.djl.ndarray.NDArray;

/**
 * Constant scalars for arithmetic that gradients flow through. DJL's {@code mul(Number)} and
 * {@code div(Number)} wrap the number in a temporary array and close it at once, but autograd
 * keeps that array for the backward pass, and on the CPU its memory is a Java direct buffer that
 * the garbage collector may free and reuse before then: the backward pass then multiplies by
 * garbage. Measured: gradient norms of 1e19-1e28 instead of 0.05, or non-finite updates, in about
 * half of some 20 pipeline runs, none with the collector off. A scalar made here belongs to the
 * manager of the array it is used with and lives until that manager closes, after the backward pass.
 */
public final class Scalars {

  private Scalars() {}

  /** {@code value} as a float32 scalar owned by {@code like}'s manager. */
  public static NDArray of(NDArray like, double value) {
    return like.getManager().create((float) value);
  }
}
