package ram.model;

import java.util.ArrayList;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;

/**
 * Flow-matching pretraining (docs/algorithm.md section 1): regress {@code v(x_t, t, c)} onto {@code eps - x}
 * with {@code t ~ U(0,1)}, dropping the prompt with a given probability so that classifier-free
 * guidance works. One step at a time: the loop around it (schedule, EMA, checkpoints) is the caller's.
 */
public final class FlowMatchingPretrainer {

  /** The loss of one step and the optimizer state after it. */
  public record StepOutcome(double loss, Optimizer.State state) {}

  private final VelocityNetwork network;
  private final int batchSize;
  private final double promptDropout;

  public FlowMatchingPretrainer(VelocityNetwork network, int batchSize, double promptDropout) {
    this.network = network;
    this.batchSize = batchSize;
    this.promptDropout = promptDropout;
  }

  /**
   * One optimizer step on a batch drawn with {@code seed}, updating {@code theta} in place with
   * {@code optimizer} (e.g. one with a scheduled learning rate). A loop that checkpoints and
   * resumes calls this with {@code Noise.seed(runSeed, step)}, so that a step is the same wherever
   * the loop restarts.
   */
  public StepOutcome step(ParameterSet theta, Optimizer.State state, TrainingData data, long seed, AdamW optimizer) {
    TrainingData.Batch batch = data.draw(Noise.seed(seed, 0), batchSize);
    int dim = network.sampleSize();
    float[] eps = Noise.gaussian(Noise.seed(seed, 1), batchSize * dim);
    float[] t = new float[batchSize];
    List<String> prompts = new ArrayList<>(batch.prompts());
    for (int i = 0; i < batchSize; i++) {
      t[i] = (float) Noise.uniform(Noise.seed(seed, 2, i));
      if (promptDropout > 0 && Noise.uniform(Noise.seed(seed, 3, i)) < promptDropout) {
        prompts.set(i, "");
      }
    }
    long[] shape = OdeSampler.batchShape(batchSize, network.sampleShape());
    long[] broadcast = new long[shape.length];
    java.util.Arrays.fill(broadcast, 1);
    broadcast[0] = batchSize;
    try (NDManager manager = Devices.newManager()) {
      NDList params = theta.toNDList(manager);
      for (NDArray p : params) {
        p.setRequiresGradient(true);
      }
      NDArray x = manager.create(batch.samples(), new Shape(shape));
      NDArray e = manager.create(eps, new Shape(shape));
      NDArray times = manager.create(t);
      NDArray xt = RamLoss.noised(x, e, times.reshape(new Shape(broadcast)));
      double lossValue;
      try (GradientCollector collector = Autograd.collector()) {
        NDArray v = network.velocity(params, xt, times, prompts);
        NDArray loss = v.sub(RamLoss.pairVelocity(x, e)).square().mean();
        collector.backward(loss);
        lossValue = loss.getFloat();
      }
      NDList grads = new NDList();
      for (NDArray p : params) {
        grads.add(p.getGradient());
      }
      return new StepOutcome(lossValue, optimizer.step(theta, ParameterSet.fromNDList(theta, grads), state));
    }
  }
}
