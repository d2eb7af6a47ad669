package ram.model;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * The gradient of the summed RAM loss over a batch of items (one shard of a step), plus the
 * diagnostics of docs/algorithm.md section 3 as sums, so that shards add up to the step's totals. Rows (item
 * x re-noising) are processed {@link Autograd#ROWS_PER_PASS} at a time.
 */
public final class RamGradient {

  private final VelocityNetwork network;
  private final double multiplier;

  /**
   * The recipe's update: every velocity of the loss is the conditional one (docs/algorithm.md section 3).
   *
   * @param network the velocity network shared by policy, reference and lagged policy
   * @param multiplier the reward multiplier m
   */
  public RamGradient(VelocityNetwork network, double multiplier) {
    this.network = network;
    this.multiplier = multiplier;
  }

  /** Sums over the items of a shard; {@link #add} combines shards. */
  public record Result(ParameterSet gradientSum, long items, double lossSum, double driftSum, double targetSquareSum,
      long flippedItems) {

    /** Element-wise sum of two shards' results (gradients added into this one's copy). */
    public Result add(Result other) {
      ParameterSet g = gradientSum.copy();
      g.addInPlace(other.gradientSum);
      return new Result(g, items + other.items, lossSum + other.lossSum, driftSum + other.driftSum,
          targetSquareSum + other.targetSquareSum, flippedItems + other.flippedItems);
    }
  }

  /**
   * Computes the gradient of {@code sum_i loss_i} with respect to {@code theta}.
   *
   * @param old the lagged policy's parameters, or null to use a no-gradient forward of theta
   */
  public Result compute(ParameterSet theta, ParameterSet reference, ParameterSet old, RamItems items) {
    int n = items.count();
    int k = items.renoisings();
    int dim = network.sampleSize();
    int rows = n * k;
    float[] x = new float[rows * dim];
    float[] signal = new float[rows];
    List<String> prompts = new ArrayList<>(rows);
    long flipped = 0;
    for (int i = 0; i < n; i++) {
      float s = (float) (multiplier * items.signals()[i]);
      for (int j = 0; j < k; j++) {
        System.arraycopy(items.endpoints(), i * dim, x, (i * k + j) * dim, dim);
        signal[i * k + j] = s;
        prompts.add(items.prompts().get(i));
        if (s < -1) {
          flipped++;
        }
      }
    }
    ParameterSet gradientSum = null;
    double lossSum = 0;
    double driftSum = 0;
    double targetSquareSum = 0;
    for (int from = 0; from < rows; from += Autograd.ROWS_PER_PASS) {
      int to = Math.min(rows, from + Autograd.ROWS_PER_PASS);
      Result chunk = chunk(theta, reference, old, java.util.Arrays.copyOfRange(x, from * dim, to * dim),
          java.util.Arrays.copyOfRange(items.noise(), from * dim, to * dim), java.util.Arrays.copyOfRange(items.times(), from, to),
          java.util.Arrays.copyOfRange(signal, from, to), prompts.subList(from, to));
      if (gradientSum == null) {
        gradientSum = chunk.gradientSum();
      } else {
        gradientSum.addInPlace(chunk.gradientSum());
      }
      lossSum += chunk.lossSum();
      driftSum += chunk.driftSum();
      targetSquareSum += chunk.targetSquareSum();
    }
    NativeMemory.releaseAfterGradient();
    return new Result(gradientSum, rows, lossSum, driftSum, targetSquareSum, flipped);
  }

  /** The summed loss and its gradient over rows that fit in memory at once (no flipped count). */
  private Result chunk(ParameterSet theta, ParameterSet reference, ParameterSet old, float[] x, float[] noise, float[] times,
      float[] signal, List<String> prompts) {
    int rows = prompts.size();
    long[] shape = OdeSampler.batchShape(rows, network.sampleShape());
    long[] broadcast = new long[shape.length];
    java.util.Arrays.fill(broadcast, 1);
    broadcast[0] = rows;
    try (NDManager manager = Devices.newManager()) {
      NDList thetaArrays = theta.toNDList(manager);
      NDArray x0 = manager.create(x, new Shape(shape));
      NDArray eps = manager.create(noise, new Shape(shape));
      NDArray t = manager.create(times);
      NDArray xt = RamLoss.noised(x0, eps, t.reshape(new Shape(broadcast)));
      NDArray vRef = velocity(reference.toNDList(manager), xt, t, prompts);
      NDArray vOld = velocity(old == null ? thetaArrays : old.toNDList(manager), xt, t, prompts);
      NDArray target = RamLoss.target(vRef, vOld, x0, eps, manager.create(signal, new Shape(broadcast)));
      double targetSquareSum = RamLoss.meanOverSampleDims(target.square()).sum().getFloat();
      for (NDArray p : thetaArrays) {
        p.setRequiresGradient(true);
      }
      double lossSum;
      double driftSum;
      try (GradientCollector collector = Autograd.collector()) {
        NDArray vTheta = velocity(thetaArrays, xt, t, prompts);
        NDArray loss = RamLoss.perItem(vTheta, target).sum();
        collector.backward(loss);
        lossSum = loss.getFloat();
        driftSum = RamLoss.perItem(vTheta.stopGradient(), vRef).sum().getFloat();
      }
      return new Result(network.gradient(theta, thetaArrays), rows, lossSum, driftSum, targetSquareSum, 0);
    }
  }

  private NDArray velocity(NDList parameters, NDArray xt, NDArray t, List<String> prompts) {
    return network.velocity(parameters, xt, t, prompts);
  }
}
