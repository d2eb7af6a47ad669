package ram.runners.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/**
 * A chart as inline SVG for {@code report.html}: values per epoch as lines (with optional error
 * bars, and each optimizer step's value as dots around its epoch), or points in the plane, inside
 * axes whose ticks are labelled and whose titles name the quantity and its unit. The browser
 * draws the text, so labels stay sharp at any zoom, can be searched, and the page needs no fonts
 * on the machine that writes it. Every name and unit is escaped ({@link Html#escape}).
 */
public final class SvgChart {

  static final int WIDTH = 440;
  static final int HEIGHT = 250;
  private static final int LEFT = 66;
  private static final int RIGHT = 14;
  private static final int TOP = 10;
  private static final int BOTTOM = 42;
  private static final int LEGEND_ROW = 16;
  static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};

  /** One line: a value per epoch, an optional spread per epoch (drawn as +- bars) and per-step values at fractional epochs. */
  private record Series(String name, SortedMap<Integer, Double> values, Map<Integer, Double> spread, List<double[]> steps) {}

  private final String xTitle;
  private final String yTitle;
  private final List<Series> series = new ArrayList<>();

  /** A chart over epochs; {@code yTitle} names the quantity and its unit, e.g. {@code s} or {@code reward}. */
  SvgChart(String yTitle) {
    this.xTitle = "epoch";
    this.yTitle = yTitle;
  }

  /** Adds a line through {@code values} (epoch to value). */
  SvgChart line(String name, SortedMap<Integer, Double> values) {
    return line(name, values, Map.of(), List.of());
  }

  /**
   * Adds a line through {@code values}, a bar of +- {@code spread} at each epoch that has one, and
   * a dot per {@code steps} entry ({@code [x, value]}, x an epoch with a fraction).
   */
  SvgChart line(String name, SortedMap<Integer, Double> values, Map<Integer, Double> spread, List<double[]> steps) {
    series.add(new Series(name, values, spread, steps));
    return this;
  }

  /** Whether the chart has any value to draw. */
  boolean isEmpty() {
    return series.stream().allMatch(s -> s.values.isEmpty() && s.steps.isEmpty());
  }

  /** The chart as an {@code <svg>} element. */
  String svg() {
    double x0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY;
    double y1 = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (var e : s.values.entrySet()) {
        double spread = s.spread.getOrDefault(e.getKey(), 0.0);
        x0 = Math.min(x0, e.getKey());
        x1 = Math.max(x1, e.getKey());
        y0 = Math.min(y0, e.getValue() - spread);
        y1 = Math.max(y1, e.getValue() + spread);
      }
      for (double[] p : s.steps) {
        x0 = Math.min(x0, Math.floor(p[0] + 0.5));
        x1 = Math.max(x1, Math.floor(p[0] + 0.5));
        y0 = Math.min(y0, p[1]);
        y1 = Math.max(y1, p[1]);
      }
    }
    if (x0 > x1) { // nothing to draw: empty axes over epoch 1
      x0 = x1 = 1;
      y0 = y1 = 0;
    }
    Axis x = Axis.epochs((int) x0, (int) x1);
    Axis y = Axis.of(y0, y1);
    List<String> names = series.size() > 1 ? series.stream().map(Series::name).toList() : List.of();
    Legend legend = Legend.layout(names, WIDTH - LEFT - RIGHT);
    Frame f = new Frame(LEFT, TOP + legend.height(), WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM - legend.height(), x, y);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg width='%d' height='%d' viewBox='0 0 %d %d' font-family='sans-serif' font-size='11'>",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(f.axes(xTitle, yTitle));
    for (int i = 0; i < series.size(); i++) {
      Series s = series.get(i);
      String color = COLORS[i % COLORS.length];
      for (double[] p : s.steps) {
        svg.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='1.8' fill='%s' fill-opacity='0.35'/>", f.px(p[0]),
            f.py(p[1]), color));
      }
      StringBuilder points = new StringBuilder();
      for (var e : s.values.entrySet()) {
        double px = f.px(e.getKey());
        double py = f.py(e.getValue());
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
        Double spread = s.spread.get(e.getKey());
        if (spread != null && spread > 0) {
          svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='%s' stroke-opacity='0.5'/>", px,
              f.py(e.getValue() - spread), px, f.py(e.getValue() + spread), color));
        }
        svg.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='2.5' fill='%s'/>", px, py, color));
      }
      if (s.values.size() > 1) {
        svg.append(String.format(Locale.ROOT, "<polyline fill='none' stroke='%s' stroke-width='1.8' points='%s'/>", color,
            points.toString().trim()));
      }
    }
    svg.append(legend.svg(LEFT, TOP));
    return svg.append("</svg>").toString();
  }

  /**
   * A scatter of 2-D points in the square {@code [-extent, extent]^2}, axes {@code x} and
   * {@code y}, with an optional circle ({@code [cx, cy, r]}, e.g. where a reward is high) and its label.
   */
  static String scatter(List<float[]> points, double extent, double[] circle, String circleLabel) {
    int side = 300;
    int left = 44;
    int bottom = 36;
    Axis a = Axis.of(-extent, extent);
    Frame f = new Frame(left, TOP, side - left - RIGHT, side - TOP - bottom, a, a);
    StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
        "<svg width='%d' height='%d' viewBox='0 0 %d %d' font-family='sans-serif' font-size='11'>", side, side, side, side));
    svg.append(f.axes("x", "y"));
    if (circle != null) {
      double r = f.width / (a.hi - a.lo) * circle[2];
      svg.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='%.1f' fill='none' stroke='#d62728' stroke-dasharray='4 3'/>",
          f.px(circle[0]), f.py(circle[1]), r));
      svg.append(String.format(Locale.ROOT, "<text x='%d' y='%d' fill='#d62728'>%s</text>", left + 4, TOP + 12,
          Html.escape(circleLabel)));
    }
    for (float[] p : points) {
      if (Math.abs(p[0]) <= a.hi && Math.abs(p[1]) <= a.hi) {
        svg.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='1.3' fill='#1f77b4' fill-opacity='0.6'/>", f.px(p[0]),
            f.py(p[1])));
      }
    }
    return svg.append("</svg>").toString();
  }

  /** An axis: its range and ticks (at multiples of 1, 2 or 5 times a power of ten), with their labels. */
  public record Axis(double lo, double hi, List<Double> ticks, List<String> labels) {

    /** About five ticks over {@code [min, max]}, the range widened to the ticks around it. */
    public static Axis of(double min, double max) {
      if (!(max > min)) { // one value: a range around it, not below 0 for a value that is not
        double pad = min == 0 ? 1 : Math.abs(min) * 0.1;
        min = min >= 0 && min - pad < 0 ? 0 : min - pad;
        max += pad;
      }
      double step = niceStep((max - min) / 4);
      double lo = Math.floor(min / step + 1e-9) * step;
      double hi = Math.ceil(max / step - 1e-9) * step;
      List<Double> ticks = new ArrayList<>();
      for (long k = Math.round(lo / step); k * step <= hi + step * 1e-9; k++) {
        ticks.add(k * step);
      }
      return new Axis(lo, hi, ticks, labels(ticks, step));
    }

    /** Epochs {@code first..last}, half an epoch of room on either side, ticks at whole epochs. */
    public static Axis epochs(int first, int last) {
      double step = Math.max(1, niceStep((last - first) / 6.0));
      List<Double> ticks = new ArrayList<>();
      for (double t = Math.ceil(first / step) * step; t <= last; t += step) {
        ticks.add(t);
      }
      return new Axis(first - 0.5, last + 0.5, ticks, labels(ticks, step));
    }

    /**
     * {@code rough} rounded to 1, 2 or 5 times a power of ten (Heckbert, "Nice numbers for graph
     * labels", Graphics Gems, 1990), so that a range over four such steps gets four to eight ticks.
     */
    static double niceStep(double rough) {
      double power = Math.pow(10, Math.floor(Math.log10(rough)));
      double m = rough / power;
      return (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * power;
    }

    /** Tick labels with as many decimals as the step needs; very large or small numbers in scientific notation. */
    static List<String> labels(List<Double> ticks, double step) {
      int decimals = (int) Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
      double largest = ticks.stream().mapToDouble(Math::abs).max().orElse(0);
      boolean scientific = decimals > 5 || largest >= 1e6;
      List<String> out = new ArrayList<>();
      for (double t : ticks) {
        double v = Math.abs(t) < step * 1e-9 ? 0 : t;
        out.add(scientific ? String.format(Locale.ROOT, "%.2g", v) : String.format(Locale.ROOT, "%." + decimals + "f", v));
      }
      return out;
    }
  }

  /** The plot area in pixels and the axes that map values onto it. */
  private record Frame(double left, double top, double width, double height, Axis x, Axis y) {

    double px(double v) {
      return left + width * (v - x.lo) / (x.hi - x.lo);
    }

    double py(double v) {
      return top + height - height * (v - y.lo) / (y.hi - y.lo);
    }

    /** The frame, grid lines at the ticks, tick labels and the axis titles. */
    String axes(String xTitle, String yTitle) {
      StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
          "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#fff' stroke='#999'/>", left, top, width, height));
      for (int i = 0; i < x.ticks.size(); i++) {
        double px = px(x.ticks.get(i));
        svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#eee'/>", px, top, px, top + height));
        svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#999'/>", px, top + height, px,
            top + height + 4));
        svg.append(String.format(Locale.ROOT, "<text class='tick' x='%.1f' y='%.1f' text-anchor='middle'>%s</text>", px, top + height + 16,
            x.labels.get(i)));
      }
      for (int i = 0; i < y.ticks.size(); i++) {
        double py = py(y.ticks.get(i));
        svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#eee'/>", left, py, left + width, py));
        svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#999'/>", left - 4, py, left, py));
        svg.append(String.format(Locale.ROOT, "<text class='tick' x='%.1f' y='%.1f' text-anchor='end'>%s</text>", left - 6, py + 4,
            y.labels.get(i)));
      }
      svg.append(String.format(Locale.ROOT, "<text class='axis' x='%.1f' y='%.1f' text-anchor='middle'>%s</text>", left + width / 2,
          top + height + 32, Html.escape(xTitle)));
      svg.append(String.format(Locale.ROOT, "<text class='axis' x='%.1f' y='%.1f' text-anchor='middle' transform='rotate(-90 %.1f %.1f)'>%s</text>",
          14.0, top + height / 2, 14.0, top + height / 2, Html.escape(yTitle)));
      return svg.toString();
    }
  }

  /** Series names in rows of coloured swatches above the plot, wrapped at the plot's width (text width estimated). */
  private record Legend(List<String> names, List<double[]> at, int rows) {

    static Legend layout(List<String> names, double width) {
      List<double[]> at = new ArrayList<>();
      double x = 0;
      int row = 0;
      for (String n : names) {
        double w = 16 + 6.2 * n.length() + 12;
        if (x > 0 && x + w > width) {
          x = 0;
          row++;
        }
        at.add(new double[] {x, row});
        x += w;
      }
      return new Legend(names, at, names.isEmpty() ? 0 : row + 1);
    }

    int height() {
      return rows * LEGEND_ROW;
    }

    String svg(double left, double top) {
      StringBuilder svg = new StringBuilder();
      for (int i = 0; i < names.size(); i++) {
        double x = left + at.get(i)[0];
        double y = top + at.get(i)[1] * LEGEND_ROW;
        svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='12' height='8' fill='%s'/>", x, y + 2,
            COLORS[i % COLORS.length]));
        svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.1f'>%s</text>", x + 16, y + 10, Html.escape(names.get(i))));
      }
      return svg.toString();
    }
  }
}
