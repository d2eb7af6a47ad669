package ram.transforms;

import java.io.Serializable;

import ram.model.ParameterSet;
import ram.model.RamGradient;

/**
 * One shard's contribution to an optimizer step: the gradient of its summed per-item losses and
 * the diagnostic sums ({@code items == 0}: nothing to learn from). The gradient itself lies in a
 * file of the epoch's scratch directory: a record holds only its location, so shuffles stay small
 * whatever the model's size. Shard 0 also carries (the location of) the training state the step
 * started from, so that the update reads the step's parameters through
 * the gradient path alone and consecutive steps form a chain, not a lattice, in the job graph.
 */
public final class GradientShard implements Serializable {

  private static final long serialVersionUID = 1L;

  public final int shard;
  /** where the gradient sum is stored (the epoch's scratch directory), or null when the shard had no items */
  public final String gradientFile;
  public final long items;
  public final double lossSum;
  public final double driftSum;
  public final double targetSquareSum;
  public final long flippedItems;
  /** where the state the step started from is stored (shard 0 only), else null */
  public final String state;

  GradientShard(int shard, String gradientFile, long items, double lossSum, double driftSum, double targetSquareSum,
      long flippedItems, String state) {
    this.shard = shard;
    this.gradientFile = gradientFile;
    this.items = items;
    this.lossSum = lossSum;
    this.driftSum = driftSum;
    this.targetSquareSum = targetSquareSum;
    this.flippedItems = flippedItems;
    this.state = state;
  }

  /** Stores the gradient sum in {@code gradientFile} and describes the shard. */
  static GradientShard of(int shard, RamGradient.Result r, String gradientFile, String state) {
    StoreFiles.writeAtomically(gradientFile, r.gradientSum().toBytes());
    return new GradientShard(shard, gradientFile, r.items(), r.lossSum(), r.driftSum(), r.targetSquareSum(),
        r.flippedItems(), state);
  }

  static GradientShard empty(int shard, String state) {
    return new GradientShard(shard, null, 0, 0, 0, 0, 0, state);
  }

  /** Requires {@code items > 0}. */
  public RamGradient.Result result() {
    return new RamGradient.Result(ParameterSet.fromBytes(StoreFiles.read(gradientFile)), items, lossSum, driftSum, targetSquareSum, flippedItems);
  }
}
