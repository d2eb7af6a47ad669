package ram.model;

import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;

/**
 * Gradient collection that is safe when several workers of one JVM compute gradients at once (the
 * DirectRunner's threads, an embedded Flink cluster's slots): DJL's PyTorch engine allows one
 * collecting {@link GradientCollector} per process and throws if a second opens. The collector
 * returned here waits for the one open elsewhere; forward passes without gradients are not held.
 */
public final class Autograd {

  /**
   * Rows whose activations a gradient pass holds at once: the RAM and Flow-GRPO gradients of a
   * shard are sums over chunks of this many rows, so memory stays flat however many items a shard
   * gets (in one pass, the U-Net's 512 rows of one geneval shard took several GB).
   */
  public static final int ROWS_PER_PASS = 64;

  /**
   * Passes over the same rows before a gradient with non-finite entries is given up on: a guard
   * against engine faults like libtorch's 3-channel convolution backward ({@link ConvOps#CHANNEL_BLOCK}),
   * which returned NaN for finite inputs in a few passes in a hundred and a clean result when the
   * same rows were run again. A clean pass is deterministic, so reproducibility holds.
   */
  static final int PASSES = 5;

  private static final System.Logger LOG = System.getLogger(Autograd.class.getName());
  private static final ReentrantLock LOCK = new ReentrantLock();

  private Autograd() {}

  /** A gradient collector, once no other thread of the process holds one; close it to release. */
  public static GradientCollector collector() {
    LOCK.lock();
    try {
      return new Held(Engine.getInstance().newGradientCollector());
    } catch (RuntimeException | Error e) {
      LOCK.unlock();
      throw e;
    }
  }

  /**
   * Runs a gradient pass, and runs it again (up to {@link #PASSES} in all) while its loss is finite
   * but its gradient is not; a non-finite loss is a real divergence and is returned as it is.
   *
   * @throws IllegalStateException when every pass gave a finite loss and a non-finite gradient
   */
  public static <R> R finitePass(Supplier<R> pass, Function<R, ParameterSet> gradient, Function<R, Double> loss) {
    R result = pass.get();
    for (int attempt = 1; !gradient.apply(result).allFinite() && Double.isFinite(loss.apply(result)); attempt++) {
      if (attempt == PASSES) {
        throw new IllegalStateException("the gradient had non-finite entries in " + PASSES
            + " passes over the same rows although the loss was finite: " + describe(gradient.apply(result).nonFiniteNames()));
      }
      LOG.log(System.Logger.Level.WARNING, "non-finite gradient in {0} with a finite loss; recomputing the same rows (pass {1} of {2})",
          describe(gradient.apply(result).nonFiniteNames()), attempt + 1, PASSES);
      result = pass.get();
    }
    return result;
  }

  /** The names of the tensors with non-finite values, the first few of many. */
  private static String describe(List<String> names) {
    return names.size() <= 4 ? names.toString()
        : names.size() + " tensors (" + String.join(", ", names.subList(0, 3)) + ", ..., " + names.get(names.size() - 1) + ")";
  }

  private record Held(GradientCollector collector) implements GradientCollector {
    @Override
    public void backward(NDArray target) {
      collector.backward(target);
    }

    @Override
    public void zeroGradients() {
      collector.zeroGradients();
    }

    @Override
    public void close() {
      try {
        collector.close();
      } finally {
        LOCK.unlock();
      }
    }
  }
}
