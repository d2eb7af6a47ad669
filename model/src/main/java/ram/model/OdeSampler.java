package ram.model;

import java.util.List;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * The deterministic ODE sampler of docs/algorithm.md section 1: from noise at t = 1, steps down a decreasing
 * (optionally shifted) time grid to a clean endpoint at t = 0, with classifier-free guidance for
 * conditional networks. Euler by default, as in docs/algorithm.md; Heun's second-order step is the option for
 * endpoints that must follow the model's flow closely at few steps (RAM's re-noising assumes the
 * endpoints are the flow's).
 */
public final class OdeSampler {

  /** The integrator of one grid step. */
  public enum Method {
    /** {@code x += dt v(x, t)}: one velocity evaluation per step */
    EULER("euler_ode"),
    /**
     * Heun's trapezoidal corrector: an Euler predictor, then the mean of the velocities at both ends
     * of the step; two evaluations per step, one on the last step, which ends at t = 0 where the
     * velocity is not evaluated
     */
    HEUN("heun_ode");

    private final String recordName;

    Method(String recordName) {
      this.recordName = recordName;
    }

    /** The name stored in a sample's sampler settings. */
    public String recordName() {
      return recordName;
    }

    /** {@code euler} or {@code heun}, as a config names it. */
    public static Method parse(String name) {
      return ConfigNames.parse(values(), name, "ode_solver");
    }
  }

  private final Method method;
  private final int steps;
  private final double cfgScale;
  private final double timeShift;

  /** The Euler sampler of docs/algorithm.md section 1. */
  public OdeSampler(int steps, double cfgScale, double timeShift) {
    this(Method.EULER, steps, cfgScale, timeShift);
  }

  public OdeSampler(Method method, int steps, double cfgScale, double timeShift) {
    if (steps < 1) {
      throw new IllegalArgumentException("sampler steps must be >= 1, got " + steps);
    }
    if (!(timeShift > 0)) {
      throw new IllegalArgumentException("time shift must be > 0, got " + timeShift);
    }
    this.method = method;
    this.steps = steps;
    this.cfgScale = cfgScale;
    this.timeShift = timeShift;
  }

  /** The grid {@code 1 = t_0 > ... > t_N = 0}, each uniform point u mapped to {@code s u / (1 + (s-1) u)}. */
  public static double[] timeGrid(int steps, double shift) {
    double[] t = new double[steps + 1];
    for (int k = 0; k <= steps; k++) {
      double u = 1.0 - (double) k / steps;
      t[k] = shift * u / (1 + (shift - 1) * u);
    }
    return t;
  }

  /**
   * Integrates a batch from its initial noise to clean endpoints.
   *
   * @param noise {@code prompts.size() * sampleSize} values, row-major
   * @return endpoints in the same layout
   */
  public float[] sample(VelocityNetwork network, ParameterSet parameters, float[] noise, List<String> prompts) {
    return integrate(network, parameters, noise, 1.0, prompts);
  }

  /**
   * Integrates a batch of states at time {@code from} (1: pure noise) to clean endpoints, over the
   * points of this sampler's grid below {@code from}: how a diagnostic asks what the sampler makes
   * of a re-noised image.
   *
   * @param start {@code prompts.size() * sampleSize} values, row-major
   */
  public float[] integrate(VelocityNetwork network, ParameterSet parameters, float[] start, double from, List<String> prompts) {
    int batch = prompts.size();
    int dim = network.sampleSize();
    if (start.length != batch * dim) {
      throw new IllegalArgumentException("the start has " + start.length + " values, expected " + batch * dim);
    }
    if (!(from >= 0 && from <= 1)) {
      throw new IllegalArgumentException("start time must be in [0, 1], got " + from);
    }
    List<String> rows = Guidance.rows(network, cfgScale, prompts);
    double[] grid = gridFrom(from);
    float[] x = start.clone();
    long[] shape = batchShape(batch, network.sampleShape());
    try (NDManager manager = Devices.newManager()) {
      NDList params = parameters.toNDList(manager);
      Object encoded = network.encodePrompts(params, rows); // the prompts do not change between steps
      for (int k = 0; k + 1 < grid.length; k++) {
        try (NDManager step = manager.newSubManager()) {
          float dt = (float) (grid[k + 1] - grid[k]);
          float[] v = velocity(network, params, step, x, grid[k], prompts, encoded, shape);
          if (method == Method.HEUN && grid[k + 1] > 0) {
            float[] predicted = x.clone();
            addScaled(predicted, dt, v);
            float[] end = velocity(network, params, step, predicted, grid[k + 1], prompts, encoded, shape);
            for (int i = 0; i < v.length; i++) {
              v[i] = 0.5f * (v[i] + end[i]);
            }
          }
          addScaled(x, dt, v);
        }
      }
    }
    return x;
  }

  /** The guided velocity of the batch {@code x}, all at time {@code t}. */
  private float[] velocity(VelocityNetwork network, NDList params, NDManager step, float[] x, double t, List<String> prompts,
      Object encoded, long[] shape) {
    float[] times = new float[prompts.size()];
    java.util.Arrays.fill(times, (float) t);
    return Guidance.velocity(network, params, step.create(x, new Shape(shape)), step.create(times), prompts, cfgScale, encoded)
        .toFloatArray();
  }

  private static void addScaled(float[] x, float dt, float[] v) {
    for (int i = 0; i < x.length; i++) {
      x[i] += dt * v[i];
    }
  }

  public Method method() {
    return method;
  }

  /** {@code from}, then the points of {@link #timeGrid} below it. */
  private double[] gridFrom(double from) {
    double[] below = java.util.Arrays.stream(timeGrid(steps, timeShift)).filter(t -> t < from).toArray();
    double[] grid = new double[below.length + 1];
    grid[0] = from;
    System.arraycopy(below, 0, grid, 1, below.length);
    return grid;
  }

  public static long[] batchShape(int batch, int[] sampleShape) {
    long[] shape = new long[sampleShape.length + 1];
    shape[0] = batch;
    for (int i = 0; i < sampleShape.length; i++) {
      shape[i + 1] = sampleShape[i];
    }
    return shape;
  }
}
