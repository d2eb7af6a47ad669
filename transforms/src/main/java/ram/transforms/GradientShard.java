package ram.transforms;

import java.io.Serializable;
import java.util.TreeMap;

import ram.model.ParameterSet;
import ram.transforms.algorithm.ShardGradient;

/**
 * One shard's contribution to an optimizer step: the gradient of its summed per-item losses and
 * the diagnostic sums ({@code items == 0}: nothing to learn from). The gradient itself lies in a
 * file of the epoch's scratch directory: a record holds only its location, so shuffles stay small
 * whatever the model's size. Shard 0 also carries (the location of) the training state the step
 * started from, so that the update reads the step's parameters through
 * the gradient path alone and consecutive steps form a chain, not a lattice, in the job graph.
 */
public final class GradientShard implements Serializable {

  private static final long serialVersionUID = 2L;

  public final int shard;
  /** where the gradient sum is stored (the epoch's scratch directory), or null when the shard had no items */
  public final String gradientFile;
  public final long items;
  /**
   * Per diagnostic of the epoch's algorithm ({@link ShardGradient#sums()}), its sum over the shard's
   * items (the update reports sum / items).
   */
  public final TreeMap<String, Double> sums;
  /** where the state the step started from is stored (shard 0 only), else null */
  public final String state;

  GradientShard(int shard, String gradientFile, long items, TreeMap<String, Double> sums, String state) {
    this.shard = shard;
    this.gradientFile = gradientFile;
    this.items = items;
    this.sums = sums;
    this.state = state;
  }

  /** Stores a gradient sum in {@code gradientFile} and describes the shard. */
  static GradientShard of(int shard, ParameterSet gradientSum, long items, TreeMap<String, Double> sums, String gradientFile,
      String state) {
    StoreFiles.writeAtomically(gradientFile, gradientSum.toBytes());
    return new GradientShard(shard, gradientFile, items, sums, state);
  }

  /** Stores a shard's gradient sum in {@code gradientFile} and describes the shard with its diagnostic sums. */
  static GradientShard of(int shard, ShardGradient r, String gradientFile, String state) {
    return of(shard, r.gradientSum(), r.items(), new TreeMap<>(r.sums()), gradientFile, state);
  }

  static GradientShard empty(int shard, String state) {
    return new GradientShard(shard, null, 0, new TreeMap<>(), state);
  }

  /** The stored gradient sum; requires {@code items > 0}. */
  public ParameterSet gradientSum() {
    return ParameterSet.fromBytes(StoreFiles.read(gradientFile));
  }
}
