package ram.runners.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The head-to-head of RAM and Flow-GRPO, as numbers: each method's held-out reward against optimizer steps
 * and training wall time, Flow-GRPO's peak, and how many steps (and seconds) each method needs to
 * reach it. Wall time is the epochs' pipeline time (sampling, reward and update), without the
 * evaluations, which both methods pay alike.
 */
public record Comparison(List<Point> ram, List<Point> grpo) {

  /** One evaluation: after {@code steps} optimizer steps and {@code wallSeconds} of training. */
  public record Point(int epoch, int steps, double wallSeconds, double reward) {}

  /** The evaluated points of a run: epoch 0 (the base) and every evaluated epoch, in order. */
  public static List<Point> curve(List<RunMetrics.Row> rows, String rewardName, int stepsPerEpoch) {
    TreeMap<Integer, Double> rewards = new TreeMap<>();
    TreeMap<Integer, Double> pipeline = new TreeMap<>();
    String evalName = "eval_" + rewardName + "_mean";
    for (RunMetrics.Row r : rows) {
      if (r.name().equals(evalName)) {
        rewards.put(r.epoch(), r.value());
      } else if (r.name().equals("pipeline_seconds")) {
        pipeline.put(r.epoch(), r.value());
      }
    }
    List<Point> points = new ArrayList<>();
    for (Map.Entry<Integer, Double> e : rewards.entrySet()) {
      double wall = 0;
      for (double s : pipeline.headMap(e.getKey(), true).values()) {
        wall += s;
      }
      points.add(new Point(e.getKey(), e.getKey() * stepsPerEpoch, wall, e.getValue()));
    }
    return points;
  }

  /** Flow-GRPO's best held-out reward. */
  public double grpoPeak() {
    return grpo.stream().mapToDouble(Point::reward).max().orElse(Double.NaN);
  }

  /** The first Flow-GRPO point at its peak. */
  public Point grpoPeakPoint() {
    double peak = grpoPeak();
    return grpo.stream().filter(p -> p.reward() >= peak).findFirst().orElseThrow();
  }

  /** RAM's first point at or above Flow-GRPO's peak, or null if RAM never reached it. */
  public Point ramReachingGrpoPeak() {
    double peak = grpoPeak();
    return ram.stream().filter(p -> p.reward() >= peak).findFirst().orElse(null);
  }

  /** Flow-GRPO's steps to its peak over RAM's steps to the same reward; empty when undefined. */
  public java.util.OptionalDouble stepRatio() {
    Point reached = ramReachingGrpoPeak();
    Point peak = grpoPeakPoint();
    if (reached == null || reached.steps() == 0 || peak.steps() == 0) {
      return java.util.OptionalDouble.empty();
    }
    return java.util.OptionalDouble.of(peak.steps() / (double) reached.steps());
  }

  /** The same ratio in training wall time. */
  public java.util.OptionalDouble wallRatio() {
    Point reached = ramReachingGrpoPeak();
    Point peak = grpoPeakPoint();
    if (reached == null || reached.wallSeconds() == 0 || peak.steps() == 0) {
      return java.util.OptionalDouble.empty();
    }
    return java.util.OptionalDouble.of(peak.wallSeconds() / reached.wallSeconds());
  }

  /** RAM's steps to Flow-GRPO's peak, or empty if not reached within the budget. */
  public OptionalInt ramStepsToGrpoPeak() {
    Point reached = ramReachingGrpoPeak();
    return reached == null ? OptionalInt.empty() : OptionalInt.of(reached.steps());
  }

  /** The numbers as {@code RESULT} keys (NaN where undefined), in print order. */
  public Map<String, Double> results() {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    out.put("base_reward", ram.isEmpty() ? Double.NaN : ram.get(0).reward());
    out.put("ram_final_reward", ram.isEmpty() ? Double.NaN : ram.get(ram.size() - 1).reward());
    out.put("ram_peak_reward", ram.stream().mapToDouble(Point::reward).max().orElse(Double.NaN));
    out.put("grpo_final_reward", grpo.isEmpty() ? Double.NaN : grpo.get(grpo.size() - 1).reward());
    out.put("grpo_peak_reward", grpoPeak());
    out.put("grpo_steps_to_peak", (double) grpoPeakPoint().steps());
    out.put("ram_steps_to_grpo_peak", ramStepsToGrpoPeak().isPresent() ? ramStepsToGrpoPeak().getAsInt() : Double.NaN);
    out.put("step_ratio", stepRatio().orElse(Double.NaN));
    out.put("grpo_seconds_to_peak", grpoPeakPoint().wallSeconds());
    Point reached = ramReachingGrpoPeak();
    out.put("ram_seconds_to_grpo_peak", reached == null ? Double.NaN : reached.wallSeconds());
    out.put("wall_ratio", wallRatio().orElse(Double.NaN));
    out.put("ram_seconds_per_step", secondsPerStep(ram));
    out.put("grpo_seconds_per_step", secondsPerStep(grpo));
    return out;
  }

  private static double secondsPerStep(List<Point> points) {
    Point last = points.isEmpty() ? null : points.get(points.size() - 1);
    return last == null || last.steps() == 0 ? Double.NaN : last.wallSeconds() / last.steps();
  }
}
