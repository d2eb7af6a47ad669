package ram.config;

import java.io.Serializable;

/**
 * Flow-GRPO's settings (docs/algorithm.md section 5).
 *
 * @param sdeNoiseLevel noise level a of the SDE sampler
 * @param trainedSteps rollout steps 0 .. n-1 that the loss trains
 * @param clipRange eps of the clipped ratio
 * @param betaKl weight of the KL term to the reference
 * @param maxGradNorm gradient-norm clip of each optimizer step (0 = none)
 * @param advantageClip advantages are clipped to +- this
 */
public record FlowGrpoSettings(double sdeNoiseLevel, int trainedSteps, double clipRange, double betaKl, double maxGradNorm,
    double advantageClip) implements Serializable {}
