package ram.runners.pretrain;

import ram.model.ConfigNames;

/**
 * The pretraining learning rate after a linear warm-up ({@code pretrain_schedule}): a cosine decay
 * to 10% of the peak at the last step (the image base), or the peak throughout (the toy base, the
 * public tutorial's constant Adam rate).
 */
public enum LearningRateSchedule {
  COSINE, CONSTANT;

  /** {@code cosine} or {@code constant}. */
  public static LearningRateSchedule parse(String name) {
    return ConfigNames.parse(values(), name, "pretrain_schedule");
  }

  /** The learning rate of step {@code step} (1-based) of {@code total}: linear warm-up over {@code warmup} steps, then this schedule. */
  public double at(double peak, int warmup, int total, int step) {
    if (step <= warmup) {
      return peak * step / Math.max(1, warmup);
    }
    if (this == CONSTANT) {
      return peak;
    }
    double progress = Math.min(1.0, (double) (step - warmup) / Math.max(1, total - warmup));
    return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
  }

  /** How a manifest's provenance names it. */
  String describe(int warmup) {
    String after = this == CONSTANT ? "constant" : "cosine decay to 10% of the peak";
    return warmup == 0 ? after : "linear warm-up over " + warmup + " steps, then " + after;
  }
}
