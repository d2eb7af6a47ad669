package ram.transforms.algorithm.ram;

import ram.model.ConfigNames;

/** Which velocity the RAM update regresses ({@code update_velocity}). */
public enum UpdateVelocity {
  /** the conditional one, as ram.md section 3 and the reference do */
  CONDITIONAL,
  /**
   * the guided one at {@code cfg_scale}, the velocity that drew the endpoints: an experiment
   * (docs/post-training.md), at twice the update's cost
   */
  GUIDED;

  public static UpdateVelocity parse(String s) {
    return ConfigNames.parse(values(), s, "update_velocity");
  }
}
