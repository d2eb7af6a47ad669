package ram.transforms;

import java.io.Serializable;

import ram.model.SdeSampler;

/**
 * What a Flow-GRPO epoch needs beyond RAM's settings (docs/algorithm.md section 5): the SDE sampler's noise
 * level, how many of its steps are trained, the policy clip, the KL weight, the gradient-norm clip
 * and the advantage clip. An epoch whose spec carries these runs Flow-GRPO instead of RAM.
 */
public final class GrpoSettings implements Serializable {

  private static final long serialVersionUID = 1L;

  public final double noiseLevel;
  /** steps 0 .. trainedSteps - 1 of the rollout are trained (the reference: 9 of 10) */
  public final int trainedSteps;
  public final double clipRange;
  public final double betaKl;
  /** gradient-norm clip of each optimizer step (0 = none) */
  public final double maxGradNorm;
  /** advantages are clipped to [-advantageClip, advantageClip] */
  public final double advantageClip;

  public GrpoSettings(double noiseLevel, int trainedSteps, double clipRange, double betaKl, double maxGradNorm,
      double advantageClip) {
    this.noiseLevel = noiseLevel;
    this.trainedSteps = trainedSteps;
    this.clipRange = clipRange;
    this.betaKl = betaKl;
    this.maxGradNorm = maxGradNorm;
    this.advantageClip = advantageClip;
  }

  /** The SDE sampler of rollouts: the epoch's time grid and guidance with this noise level. */
  public SdeSampler sampler(EpochSpec spec) {
    return new SdeSampler(spec.sampleSteps, spec.cfgScale, spec.timeShift, noiseLevel);
  }
}
