package ram.runners.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

import ram.runners.train.Comparison;
import ram.runners.train.RunDirectory;

/**
 * {@code comparison.png} and {@code comparison.html}: the figure of the reference's headline, held-out
 * reward against optimizer steps and against training wall time for RAM and Flow-GRPO, with
 * Flow-GRPO's peak as a dashed line, and the numbers of {@link Comparison} in a table.
 */
public final class ComparisonReport {

  private static final Color RAM = new Color(0x1f, 0x77, 0xb4);
  private static final Color GRPO = new Color(0xd6, 0x27, 0x28);
  private static final int PANEL_W = 520;
  private static final int PANEL_H = 380;

  private ComparisonReport() {}

  /** Writes both files into {@code dir}; returns the PNG's path. */
  public static Path write(Path dir, String task, Comparison c, Map<String, Double> results) {
    BufferedImage image = figure(task, c);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", png);
      Files.createDirectories(dir);
      Path pngFile = dir.resolve("comparison.png");
      ram.model.DurableFiles.write(pngFile, png.toByteArray());
      StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>RAM vs Flow-GRPO: ")
          .append(Html.escape(task)).append("</title><style>body{font-family:sans-serif;margin:20px} td,th{padding:3px 10px;text-align:right}"
              + " th{text-align:left}</style></head><body><h1>RAM vs Flow-GRPO on ").append(Html.escape(task)).append("</h1>")
          .append("<p>Same base, reward, prompts, seeds and budget of optimizer steps. Reward: the held-out evaluation of each run "
              + "(the same prompts and noise at every point). Wall time: the epochs' pipelines, without evaluations.</p>")
          .append("<img alt='comparison' src='data:image/png;base64,").append(Base64.getEncoder().encodeToString(png.toByteArray()))
          .append("'><h2>Numbers</h2><table>");
      results.forEach((k, v) -> html.append("<tr><th>").append(Html.escape(k)).append("</th><td>")
          .append(Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4g", v)).append("</td></tr>"));
      html.append("</table><h2>Curves</h2><table><tr><th>method</th><th>epoch</th><th>optimizer steps</th><th>wall s</th>"
          + "<th>reward</th></tr>");
      rows(html, "RAM", c.ram());
      rows(html, "Flow-GRPO", c.grpo());
      html.append("</table><p>Runs: <a href='ram/report.html'>RAM</a>, <a href='flow_grpo/report.html'>Flow-GRPO</a></p>"
          + "</body></html>\n");
      RunDirectory.writeAtomically(dir.resolve("comparison.html"), html.toString());
      return pngFile;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void rows(StringBuilder html, String method, List<Comparison.Point> points) {
    for (Comparison.Point p : points) {
      html.append(String.format(Locale.ROOT, "<tr><th>%s</th><td>%d</td><td>%d</td><td>%.1f</td><td>%.4f</td></tr>", method,
          p.epoch(), p.steps(), p.wallSeconds(), p.reward()));
    }
  }

  static BufferedImage figure(String task, Comparison c) {
    BufferedImage image = new BufferedImage(2 * PANEL_W, PANEL_H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    double lo = Double.MAX_VALUE;
    double hi = -Double.MAX_VALUE;
    for (List<Comparison.Point> s : List.of(c.ram(), c.grpo())) {
      for (Comparison.Point p : s) {
        lo = Math.min(lo, p.reward());
        hi = Math.max(hi, p.reward());
      }
    }
    if (!(hi > lo)) {
      hi = lo + 1e-3;
    }
    double pad = 0.08 * (hi - lo);
    panel(g, 0, task + ": held-out reward vs optimizer steps", "optimizer steps", c, p -> p.steps(), lo - pad, hi + pad);
    panel(g, PANEL_W, task + ": held-out reward vs training wall time", "seconds", c, Comparison.Point::wallSeconds, lo - pad,
        hi + pad);
    g.dispose();
    return image;
  }

  private static void panel(Graphics2D g, int x0, String title, String xLabel, Comparison c,
      ToDoubleFunction<Comparison.Point> x, double lo, double hi) {
    int left = x0 + 60;
    int right = x0 + PANEL_W - 20;
    int top = 40;
    int bottom = PANEL_H - 50;
    double xMax = 0;
    for (List<Comparison.Point> s : List.of(c.ram(), c.grpo())) {
      for (Comparison.Point p : s) {
        xMax = Math.max(xMax, x.applyAsDouble(p));
      }
    }
    xMax = xMax > 0 ? xMax : 1;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setColor(Color.BLACK);
    g.drawString(title, x0 + 20, 22);
    g.setColor(Color.GRAY);
    g.setStroke(new BasicStroke(1));
    g.drawRect(left, top, right - left, bottom - top);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int i = 0; i <= 4; i++) {
      double v = lo + (hi - lo) * i / 4;
      int y = (int) Math.round(bottom - (bottom - top) * (v - lo) / (hi - lo));
      g.drawString(String.format(Locale.ROOT, "%.3f", v), x0 + 12, y + 4);
      double xv = xMax * i / 4;
      int xp = (int) Math.round(left + (right - left) * xv / xMax);
      g.drawString(String.format(Locale.ROOT, "%.3g", xv), xp - 8, bottom + 16);
    }
    g.drawString(xLabel, (left + right) / 2 - 30, bottom + 34);
    double peak = c.grpoPeak();
    if (!Double.isNaN(peak)) {
      int y = (int) Math.round(bottom - (bottom - top) * (peak - lo) / (hi - lo));
      g.setColor(GRPO);
      g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {6, 4}, 0));
      g.drawLine(left, y, right, y);
    }
    series(g, c.ram(), RAM, x, xMax, lo, hi, left, right, top, bottom);
    series(g, c.grpo(), GRPO, x, xMax, lo, hi, left, right, top, bottom);
    g.setStroke(new BasicStroke(3));
    g.setColor(RAM);
    g.drawLine(left + 10, top + 14, left + 30, top + 14);
    g.drawString("RAM", left + 36, top + 18);
    g.setColor(GRPO);
    g.drawLine(left + 10, top + 30, left + 30, top + 30);
    g.drawString("Flow-GRPO (dashed: its peak)", left + 36, top + 34);
  }

  private static void series(Graphics2D g, List<Comparison.Point> points, Color color, ToDoubleFunction<Comparison.Point> x,
      double xMax, double lo, double hi, int left, int right, int top, int bottom) {
    g.setColor(color);
    g.setStroke(new BasicStroke(2));
    int px = -1;
    int py = -1;
    for (Comparison.Point p : points) {
      int cx = (int) Math.round(left + (right - left) * x.applyAsDouble(p) / xMax);
      int cy = (int) Math.round(bottom - (bottom - top) * (p.reward() - lo) / (hi - lo));
      g.fillOval(cx - 3, cy - 3, 7, 7);
      if (px >= 0) {
        g.drawLine(px, py, cx, cy);
      }
      px = cx;
      py = cy;
    }
  }
}
