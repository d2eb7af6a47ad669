package ram.model;

import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Flow-GRPO's stochastic sampler (docs/algorithm.md section 5): the ODE sampler's time grid, with each step
 * a Gaussian ({@link SdeStep}) whose log-probability is kept. A rollout stores every state and
 * every step's log-probability, which the GRPO loss needs; RAM's sampler keeps only endpoints.
 */
public final class SdeSampler {

  private final int steps;
  private final double cfgScale;
  private final double timeShift;
  private final double noiseLevel;

  public SdeSampler(int steps, double cfgScale, double timeShift, double noiseLevel) {
    if (steps < 2) {
      throw new IllegalArgumentException("SDE sampler steps must be >= 2, got " + steps);
    }
    this.steps = steps;
    this.cfgScale = cfgScale;
    this.timeShift = timeShift;
    this.noiseLevel = noiseLevel;
  }

  public int steps() {
    return steps;
  }

  public double cfgScale() {
    return cfgScale;
  }

  /** The time grid, as {@link OdeSampler#timeGrid}. */
  public double[] grid() {
    return OdeSampler.timeGrid(steps, timeShift);
  }

  /** {@code std} of step {@code k}. */
  public double std(int k) {
    double[] grid = grid();
    return SdeStep.std(noiseLevel, grid[k], grid[1]);
  }

  /** {@code sigma} of step {@code k}: the standard deviation of its Gaussian. */
  public double sigma(int k) {
    double[] grid = grid();
    return SdeStep.sigma(std(k), grid[k + 1] - grid[k]);
  }

  /**
   * A batch of rollouts: states {@code [steps + 1][B * dim]} (states[0] is the initial noise,
   * states[steps] the endpoint) and log-probabilities {@code [steps][B]}.
   */
  public record Rollout(float[][] states, float[][] logProbs) {}

  /**
   * Samples one rollout per prompt. Rollout i starts from {@code Noise.gaussian(seeds[i])} and
   * draws step k's noise from {@code Noise.gaussian(Noise.seed(seeds[i], k + 1))}.
   */
  public Rollout sample(VelocityNetwork network, ParameterSet parameters, long[] seeds, List<String> prompts) {
    int batch = prompts.size();
    int dim = network.sampleSize();
    if (seeds.length != batch) {
      throw new IllegalArgumentException(seeds.length + " seeds for " + batch + " prompts");
    }
    float[][] states = new float[steps + 1][];
    float[][] logProbs = new float[steps][];
    states[0] = new float[batch * dim];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(Noise.gaussian(seeds[i], dim), 0, states[0], i * dim, dim);
    }
    double[] grid = grid();
    long[] shape = OdeSampler.batchShape(batch, network.sampleShape());
    try (NDManager manager = Devices.newManager()) {
      NDList params = parameters.toNDList(manager);
      Object encoded = network.encodePrompts(params, Guidance.rows(network, cfgScale, prompts));
      for (int k = 0; k < steps; k++) {
        try (NDManager step = manager.newSubManager()) {
          float[] z = new float[batch * dim];
          for (int i = 0; i < batch; i++) {
            System.arraycopy(Noise.gaussian(Noise.seed(seeds[i], k + 1), dim), 0, z, i * dim, dim);
          }
          NDArray x = step.create(states[k], new Shape(shape));
          NDArray mu = mean(network, params, x, k, prompts, encoded);
          NDArray next = mu.add(step.create(z, new Shape(shape)).mul((float) sigma(k)));
          states[k + 1] = next.toFloatArray();
          logProbs[k] = SdeStep.logProb(next, mu, sigma(k)).toFloatArray();
        }
      }
    }
    return new Rollout(states, logProbs);
  }

  /** The mean of step {@code k} from states {@code x}: what the loss recomputes under theta and the reference. */
  public NDArray mean(VelocityNetwork network, NDList parameters, NDArray x, int k, List<String> prompts, Object encoded) {
    double[] grid = grid();
    float[] times = new float[prompts.size()];
    java.util.Arrays.fill(times, (float) grid[k]);
    NDArray v = Guidance.velocity(network, parameters, x, x.getManager().create(times), prompts, cfgScale, encoded);
    return SdeStep.mean(x, v, grid[k], grid[k + 1] - grid[k], std(k));
  }
}
