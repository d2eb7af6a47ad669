package ram.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ram.model.ParameterSet;

/**
 * How consistently a run's gradient points the same way, tensor by tensor. Over N optimizer steps
 * the coherence {@code ||mean g||^2 / mean ||g||^2} is 1 for a constant gradient, about 1 / N for
 * independent noise and below 1 / N for a gradient that flips sign from step to step, so it tells
 * the tensors that carry a learning signal from those that only random-walk (or oscillate).
 *
 * <p>The steps' gradients come from the first moments of consecutive Adam states ({@code m = beta1 m
 * + (1 - beta1) g}), which every training checkpoint keeps: a finished run can be analysed
 * afterwards without recomputing anything.
 */
public final class GradientCoherence {

  /** The coherence of a group of tensors (a layer): its numerator and denominator add over tensors. */
  public record Group(String name, long parameters, double coherence) {}

  private final double beta1;
  private final Map<String, double[]> sums = new TreeMap<>();
  private final Map<String, Double> squares = new TreeMap<>();
  private ParameterSet lastMoment;
  private int steps;

  /** @param beta1 the run's Adam {@code beta1} */
  public GradientCoherence(double beta1) {
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("adam beta1 must lie in [0, 1), got " + beta1);
    }
    this.beta1 = beta1;
  }

  /** The gradient of the step that took Adam's first moment from {@code before} to {@code after}. */
  public static ParameterSet gradientBetween(ParameterSet before, ParameterSet after, double beta1) {
    after.requireSameLayout(before);
    ParameterSet g = after.zerosLike();
    for (String name : after.names()) {
      float[] b = before.get(name);
      float[] a = after.get(name);
      float[] out = g.get(name);
      for (int i = 0; i < a.length; i++) {
        out[i] = (float) ((a[i] - beta1 * (double) b[i]) / (1 - beta1));
      }
    }
    return g;
  }

  /** Adds the next step, given the first moment after it (the first call: the step from zero moments). */
  public void addMoment(ParameterSet firstMoment) {
    ParameterSet before = lastMoment == null ? firstMoment.zerosLike() : lastMoment;
    addGradient(gradientBetween(before, firstMoment, beta1));
    lastMoment = firstMoment;
  }

  /** Adds one step's gradient. */
  public void addGradient(ParameterSet gradient) {
    for (String name : gradient.names()) {
      float[] g = gradient.get(name);
      double[] sum = sums.computeIfAbsent(name, n -> new double[g.length]);
      if (sum.length != g.length) {
        throw new IllegalArgumentException("tensor " + name + " changed size from " + sum.length + " to " + g.length);
      }
      double square = 0;
      for (int i = 0; i < g.length; i++) {
        sum[i] += g[i];
        square += (double) g[i] * g[i];
      }
      squares.merge(name, square, Double::sum);
    }
    steps++;
  }

  public int steps() {
    return steps;
  }

  /** What independent noise gives: 1 / steps. */
  public double noiseLevel() {
    return 1.0 / steps;
  }

  /** The coherence of every tensor, by name. */
  public Map<String, Double> byTensor() {
    Map<String, Double> out = new TreeMap<>();
    for (String name : sums.keySet()) {
      out.put(name, group(name, List.of(name)).coherence());
    }
    return out;
  }

  /** The coherence of the named tensors taken together (a layer, or the whole model). */
  public Group group(String label, List<String> tensors) {
    double meanSquare = 0;
    double squareMean = 0;
    long parameters = 0;
    for (String name : tensors) {
      double[] sum = sums.get(name);
      if (sum == null) {
        throw new IllegalArgumentException("no tensor " + name);
      }
      for (double s : sum) {
        meanSquare += (s / steps) * (s / steps);
      }
      squareMean += squares.get(name) / steps;
      parameters += sum.length;
    }
    return new Group(label, parameters, squareMean == 0 ? 0 : meanSquare / squareMean);
  }

  /** The coherence of every layer: tensors grouped by their name without its last part ({@code .weight}, {@code .B}). */
  public List<Group> byLayer() {
    Map<String, List<String>> layers = new TreeMap<>();
    for (String name : sums.keySet()) {
      int dot = name.lastIndexOf('.');
      layers.computeIfAbsent(dot < 0 ? name : name.substring(0, dot), k -> new ArrayList<>()).add(name);
    }
    return layers.entrySet().stream().map(e -> group(e.getKey(), e.getValue())).toList();
  }

  /** The coherence of the whole parameter vector. */
  public Group overall() {
    return group("all", List.copyOf(sums.keySet()));
  }
}
