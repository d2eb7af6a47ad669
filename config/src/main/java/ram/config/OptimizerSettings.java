package ram.config;

import java.io.Serializable;

import ram.model.AdamW;

/**
 * The optimizer of the update: AdamW with decoupled weight decay, as the reference uses.
 *
 * @param learningRate the learning rate
 * @param weightDecay decoupled weight decay (0 = Adam)
 * @param beta1 AdamW beta1
 * @param beta2 AdamW beta2
 * @param epsilon AdamW epsilon
 */
public record OptimizerSettings(double learningRate, double weightDecay, double beta1, double beta2, double epsilon)
    implements Serializable {

  /** The update rule these settings describe. */
  public AdamW adamW() {
    return new AdamW(learningRate, beta1, beta2, epsilon, weightDecay);
  }
}
