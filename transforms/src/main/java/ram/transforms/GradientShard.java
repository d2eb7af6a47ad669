package ram.transforms;

import java.io.Serializable;

import ram.model.ParameterSet;
import ram.model.RamGradient;

/**
 * One shard's contribution to an optimizer step: the gradient of its summed per-item losses and
 * the diagnostic sums ({@code items == 0}: nothing to learn from). Shard 0 also carries the
 * training state the step started from, so that the update reads the step's parameters through
 * the gradient path alone and consecutive steps form a chain, not a lattice, in the job graph.
 */
public final class GradientShard implements Serializable {

  private static final long serialVersionUID = 1L;

  public final int shard;
  /** gradient sum, or null when the shard had no items */
  public final byte[] gradientSum;
  public final long items;
  public final double lossSum;
  public final double driftSum;
  public final double targetSquareSum;
  public final long flippedItems;
  /** the state the step started from (shard 0 only), else null */
  public final byte[] state;

  GradientShard(int shard, byte[] gradientSum, long items, double lossSum, double driftSum, double targetSquareSum,
      long flippedItems, byte[] state) {
    this.shard = shard;
    this.gradientSum = gradientSum;
    this.items = items;
    this.lossSum = lossSum;
    this.driftSum = driftSum;
    this.targetSquareSum = targetSquareSum;
    this.flippedItems = flippedItems;
    this.state = state;
  }

  static GradientShard of(int shard, RamGradient.Result r, byte[] state) {
    return new GradientShard(shard, r.gradientSum().toBytes(), r.items(), r.lossSum(), r.driftSum(), r.targetSquareSum(),
        r.flippedItems(), state);
  }

  static GradientShard empty(int shard, byte[] state) {
    return new GradientShard(shard, null, 0, 0, 0, 0, 0, state);
  }

  /** Requires {@code items > 0}. */
  public RamGradient.Result result() {
    return new RamGradient.Result(ParameterSet.fromBytes(gradientSum), items, lossSum, driftSum, targetSquareSum, flippedItems);
  }
}
