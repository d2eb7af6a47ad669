package ram.runners.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import ram.runners.train.RunMetrics;

/**
 * The charts of {@code report.html}, from a run's metric rows ({@link RunMetrics}), in the order a
 * person reads a run: the training reward, the held-out evaluation, the update's diagnostics, the
 * costs. A metric none of them names is a diagnostic, so a new metric always shows.
 */
final class ReportCharts {

  /** One chart: its title (a metric name, or what the lines share), a note under it, and the SVG. */
  record Chart(String title, String note, String svg) {}

  /** The update's diagnostics first in this order, then any other metric by name; y titles of the known ones. */
  private static final Map<String, String> DIAGNOSTICS = new LinkedHashMap<>();

  static {
    DIAGNOSTICS.put("loss", "loss");
    DIAGNOSTICS.put("drift_to_reference", "mean squared velocity difference");
    DIAGNOSTICS.put("target_square", "squared target");
    DIAGNOSTICS.put("frac_flipped", "fraction of items");
    DIAGNOSTICS.put("kl", "KL");
    DIAGNOSTICS.put("ratio", "probability ratio");
    DIAGNOSTICS.put("frac_clipped", "fraction of items");
    DIAGNOSTICS.put("grad_norm", "gradient norm");
    DIAGNOSTICS.put("items", "items per step");
    DIAGNOSTICS.put("frac_groups_all_equal", "fraction of groups");
    DIAGNOSTICS.put("reward_count", "samples");
    DIAGNOSTICS.put("reward_errors", "samples");
  }

  private final List<RunMetrics.Row> rows;
  private final TreeSet<String> names = new TreeSet<>();

  ReportCharts(List<RunMetrics.Row> rows) {
    this.rows = rows;
    rows.forEach(r -> names.add(r.name()));
  }

  /** The value of {@code name} per epoch (the mean over an epoch's steps). */
  TreeMap<Integer, Double> perEpoch(String name) {
    TreeMap<Integer, Double> v = new TreeMap<>();
    TreeSet<Integer> epochs = new TreeSet<>();
    rows.stream().filter(r -> r.name().equals(name)).forEach(r -> epochs.add(r.epoch()));
    for (int e : epochs) {
      v.put(e, RunMetrics.epochValue(rows, e, name));
    }
    return v;
  }

  /** Each optimizer step's value of {@code name} at {@code epoch + offset}, the steps spread over the middle of the epoch. */
  List<double[]> perStep(String name) {
    Map<Integer, Integer> steps = new TreeMap<>();
    rows.stream().filter(r -> r.name().equals(name) && r.step() >= 0).forEach(r -> steps.merge(r.epoch(), r.step() + 1, Math::max));
    List<double[]> out = new ArrayList<>();
    for (RunMetrics.Row r : rows) {
      if (r.name().equals(name) && r.step() >= 0) {
        int n = steps.get(r.epoch());
        out.add(new double[] {r.epoch() + 0.7 * ((r.step() + 0.5) / n - 0.5), r.value()});
      }
    }
    return out;
  }

  /** The training reward: its mean per epoch, +- its standard deviation over the epoch's samples. */
  List<Chart> reward() {
    if (!names.contains("reward_mean")) {
      return List.of();
    }
    SvgChart c = new SvgChart("reward").line("reward_mean", perEpoch("reward_mean"),
        names.contains("reward_std") ? perEpoch("reward_std") : Map.of(), List.of());
    return List.of(new Chart("training reward", "mean over the epoch's samples; bars: +- one standard deviation (reward_std)", c.svg()));
  }

  /** The eval_*_mean metrics: one line per reward, epoch 0 being the base. */
  List<Chart> evaluation() {
    SvgChart c = new SvgChart("reward");
    for (String n : evaluationMeans()) {
      c.line(n.substring("eval_".length(), n.length() - "_mean".length()), perEpoch(n));
    }
    return c.isEmpty() ? List.of()
        : List.of(new Chart("held-out evaluation", "mean reward of the evaluation samples; epoch 0 is the base", c.svg()));
  }

  List<String> evaluationMeans() {
    return names.stream().filter(n -> n.startsWith("eval_") && n.endsWith("_mean")).toList();
  }

  /** The eval_* metrics (means and errors) by name, for the evaluation table. */
  List<String> evaluationColumns() {
    return names.stream().filter(n -> n.startsWith("eval_")).toList();
  }

  /** One chart per diagnostic: the known ones in the update's order, then the rest by name. */
  List<Chart> diagnostics() {
    List<String> order = new ArrayList<>();
    DIAGNOSTICS.keySet().stream().filter(names::contains).forEach(order::add);
    names.stream().filter(n -> !order.contains(n) && !isReward(n) && !n.startsWith("eval_") && !isCost(n)).forEach(order::add);
    List<Chart> charts = new ArrayList<>();
    for (String n : order) {
      List<double[]> steps = perStep(n);
      String note = steps.isEmpty() ? "per epoch" : "dots: each optimizer step; line: the epoch's mean";
      charts.add(new Chart(n, note, new SvgChart(DIAGNOSTICS.getOrDefault(n, n)).line(n, perEpoch(n), Map.of(), steps).svg()));
    }
    return charts;
  }

  /** Time per epoch, compute per stage, pipeline overhead, memory, then any other cost by name. */
  List<Chart> costs() {
    List<Chart> charts = new ArrayList<>();
    TreeSet<String> left = new TreeSet<>(names.stream().filter(ReportCharts::isCost).toList());
    SvgChart time = new SvgChart("s");
    for (String n : List.of("pipeline_seconds", "compute_seconds", "evaluation_seconds")) {
      if (left.remove(n)) {
        time.line(n, perEpoch(n));
      }
    }
    if (!time.isEmpty()) {
      charts.add(new Chart("time per epoch", "pipeline_seconds: the epoch's pipeline, wall clock; compute_seconds: time inside model "
          + "and reward code, summed over workers; evaluation_seconds: the evaluation after the epoch", time.svg()));
    }
    SvgChart stages = new SvgChart("s");
    for (String n : List.copyOf(left)) {
      if (n.startsWith("stage_") && n.endsWith("_seconds") && left.remove(n)) {
        stages.line(n.substring("stage_".length(), n.length() - "_seconds".length()), perEpoch(n));
      }
    }
    if (!stages.isEmpty()) {
      charts.add(new Chart("compute per stage", "stage_*_seconds, summed over workers", stages.svg()));
    }
    for (String n : left) {
      String unit = n.endsWith("_seconds") ? "s" : n.endsWith("_mb") ? "MB" : "fraction of the pipeline's time";
      charts.add(new Chart(n, "per epoch", new SvgChart(unit).line(n, perEpoch(n)).svg()));
    }
    return charts;
  }

  private static boolean isReward(String name) {
    return name.equals("reward_mean") || name.equals("reward_std");
  }

  private static boolean isCost(String name) {
    return name.endsWith("_seconds") || name.endsWith("_mb") || name.equals("overhead_share");
  }
}
