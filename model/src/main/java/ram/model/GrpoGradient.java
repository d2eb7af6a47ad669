package ram.model;

import java.util.Arrays;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * The gradient of the summed {@link GrpoLoss} over a batch of {@link GrpoItems}, with the
 * diagnostics Flow-GRPO logs (mean ratio, share of clipped items, KL). Like {@link RamGradient},
 * a sum: shards of an epoch add up, and the update divides by the item count. Items are processed
 * {@link Autograd#ROWS_PER_PASS} at a time.
 */
public final class GrpoGradient {

  private final VelocityNetwork network;
  private final SdeSampler sampler;
  private final double clipRange;
  private final double betaKl;

  public GrpoGradient(VelocityNetwork network, SdeSampler sampler, double clipRange, double betaKl) {
    this.network = network;
    this.sampler = sampler;
    this.clipRange = clipRange;
    this.betaKl = betaKl;
  }

  /** Gradient sum and diagnostic sums over the items. */
  public record Result(ParameterSet gradientSum, long items, double lossSum, double klSum, double ratioSum, long clippedItems) {

    public Result add(Result other) {
      ParameterSet g = gradientSum.copy();
      g.addInPlace(other.gradientSum);
      return new Result(g, items + other.items, lossSum + other.lossSum, klSum + other.klSum, ratioSum + other.ratioSum,
          clippedItems + other.clippedItems);
    }
  }

  /** The gradient with respect to {@code theta}; {@code reference} is the frozen base (for the KL term). */
  public Result compute(ParameterSet theta, ParameterSet reference, GrpoItems items) {
    int dim = network.sampleSize();
    ParameterSet gradientSum = null;
    double lossSum = 0;
    double klSum = 0;
    double ratioSum = 0;
    long clipped = 0;
    for (int from = 0; from < items.count(); from += Autograd.ROWS_PER_PASS) {
      int to = Math.min(items.count(), from + Autograd.ROWS_PER_PASS);
      GrpoItems part = new GrpoItems(items.step(), Arrays.copyOfRange(items.states(), from * dim, to * dim),
          Arrays.copyOfRange(items.nextStates(), from * dim, to * dim), Arrays.copyOfRange(items.oldLogProbs(), from, to),
          Arrays.copyOfRange(items.advantages(), from, to), items.prompts().subList(from, to));
      Result chunk = chunk(theta, reference, part);
      if (gradientSum == null) {
        gradientSum = chunk.gradientSum();
      } else {
        gradientSum.addInPlace(chunk.gradientSum());
      }
      lossSum += chunk.lossSum();
      klSum += chunk.klSum();
      ratioSum += chunk.ratioSum();
      clipped += chunk.clippedItems();
    }
    NativeMemory.releaseAfterGradient();
    return new Result(gradientSum, items.count(), lossSum, klSum, ratioSum, clipped);
  }

  private Result chunk(ParameterSet theta, ParameterSet reference, GrpoItems items) {
    int n = items.count();
    long[] shape = OdeSampler.batchShape(n, network.sampleShape());
    double sigma = sampler.sigma(items.step());
    double std = sampler.std(items.step()); // the KL's scale, as the reference's std_dev_t: sigma without sqrt(-dt)
    try (NDManager manager = Devices.newManager()) {
      NDList thetaArrays = theta.toNDList(manager);
      NDArray x = manager.create(items.states(), new Shape(shape));
      NDArray next = manager.create(items.nextStates(), new Shape(shape));
      NDArray oldLogProb = manager.create(items.oldLogProbs());
      NDArray advantage = manager.create(items.advantages());
      NDArray meanReference = betaKl == 0 ? null
          : sampler.mean(network, reference.toNDList(manager), x, items.step(), items.prompts(), null);
      for (NDArray p : thetaArrays) {
        p.setRequiresGradient(true);
      }
      double lossSum;
      double klSum = 0;
      NDArray ratio;
      try (GradientCollector collector = Autograd.collector()) {
        NDArray meanTheta = sampler.mean(network, thetaArrays, x, items.step(), items.prompts(), null);
        ratio = GrpoLoss.ratio(SdeStep.logProb(next, meanTheta, sigma), oldLogProb);
        NDArray loss = GrpoLoss.policy(ratio, advantage, clipRange);
        if (meanReference != null) {
          NDArray kl = GrpoLoss.kl(meanTheta, meanReference, std);
          klSum = kl.sum().getFloat();
          loss = loss.add(kl.mul(Scalars.of(kl, betaKl)));
        }
        NDArray total = loss.sum();
        collector.backward(total);
        lossSum = total.getFloat();
      }
      float[] ratios = ratio.stopGradient().toFloatArray();
      double ratioSum = 0;
      long clipped = 0;
      for (float r : ratios) {
        ratioSum += r;
        clipped += Math.abs(r - 1) > clipRange ? 1 : 0;
      }
      return new Result(network.gradient(theta, thetaArrays), n, lossSum, klSum, ratioSum, clipped);
    }
  }
}
