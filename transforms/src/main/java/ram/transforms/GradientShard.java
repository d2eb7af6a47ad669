package ram.transforms;

import java.io.Serializable;
import java.util.TreeMap;

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

  private static final long serialVersionUID = 2L;

  public final int shard;
  /** where the gradient sum is stored (the epoch's scratch directory), or null when the shard had no items */
  public final String gradientFile;
  public final long items;
  /**
   * Per diagnostic, its sum over the shard's items (the update reports sum / items): for RAM
   * {@code loss}, {@code drift_to_reference}, {@code target_square}, {@code frac_flipped}; for
   * Flow-GRPO {@code loss}, {@code kl}, {@code ratio}, {@code frac_clipped}.
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

  /** A shard of RAM items. */
  static GradientShard of(int shard, RamGradient.Result r, String gradientFile, String state) {
    TreeMap<String, Double> sums = new TreeMap<>();
    sums.put("loss", r.lossSum());
    sums.put("drift_to_reference", r.driftSum());
    sums.put("target_square", r.targetSquareSum());
    sums.put("frac_flipped", (double) r.flippedItems());
    return of(shard, r.gradientSum(), r.items(), sums, gradientFile, state);
  }

  /** A shard of Flow-GRPO (rollout, step) pairs. */
  static GradientShard of(int shard, ram.model.GrpoGradient.Result r, String gradientFile, String state) {
    TreeMap<String, Double> sums = new TreeMap<>();
    sums.put("loss", r.lossSum());
    sums.put("kl", r.klSum());
    sums.put("ratio", r.ratioSum());
    sums.put("frac_clipped", (double) r.clippedItems());
    return of(shard, r.gradientSum(), r.items(), sums, gradientFile, state);
  }

  static GradientShard empty(int shard, String state) {
    return new GradientShard(shard, null, 0, new TreeMap<>(), state);
  }

  /** The stored gradient sum; requires {@code items > 0}. */
  public ParameterSet gradientSum() {
    return ParameterSet.fromBytes(StoreFiles.read(gradientFile));
  }
}
