package ram.config;

import java.io.Serializable;

import ram.model.OdeSampler;

/**
 * How training samples are drawn.
 *
 * @param steps grid steps of the sampler (Flow-GRPO: SDE steps T)
 * @param solver the ODE integrator of RAM's endpoints
 * @param cfgScale classifier-free guidance scale (1 = none)
 * @param timeShift time shift s of the grid (1 = none)
 */
public record SamplingSettings(int steps, OdeSampler.Method solver, double cfgScale, double timeShift) implements Serializable {

  /** The ODE sampler of these settings. */
  public OdeSampler odeSampler() {
    return new OdeSampler(solver, steps, cfgScale, timeShift);
  }
}
