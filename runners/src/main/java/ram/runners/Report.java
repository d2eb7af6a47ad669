package ram.runners;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.avro.generic.GenericRecord;

import ram.config.RunConfig;
import ram.schemas.Tensor;
import ram.transforms.ParquetRecords;
import ram.transforms.Tensors;

/**
 * {@code report.html}: a page a person can open after a run, with one curve per epoch-level
 * metric and the samples: for image tasks a grid of each epoch's first 16 images, for 2-D tasks
 * a scatter of the first and last epochs' samples. Self-contained
 * (inline SVG), rewritten at the end of every training command.
 */
public final class Report {

  private static final int W = 420;
  private static final int H = 220;

  private Report() {}

  public static void write(RunDirectory run, List<RunMetrics.Row> rows, RunConfig config) {
    TreeMap<String, TreeMap<Integer, Double>> series = new TreeMap<>();
    TreeSet<Integer> epochs = new TreeSet<>();
    for (RunMetrics.Row r : rows) {
      epochs.add(r.epoch());
    }
    for (String name : new TreeSet<>(rows.stream().map(RunMetrics.Row::name).toList())) {
      TreeMap<Integer, Double> s = new TreeMap<>();
      for (int e : epochs) {
        double v = RunMetrics.epochValue(rows, e, name);
        if (!Double.isNaN(v)) {
          s.put(e, v);
        }
      }
      series.put(name, s);
    }
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset='utf-8'><title>ram run ").append(Html.escape(config.name()))
        .append("</title><style>body{font-family:sans-serif;margin:20px} .c{display:inline-block;margin:8px}"
            + " pre{background:#f4f4f4;padding:8px}</style></head><body>");
    html.append("<h1>ram run: ").append(Html.escape(config.name())).append("</h1><p>").append(Html.escape(run.root())).append("</p>");
    int latest = epochs.isEmpty() ? 0 : epochs.last();
    if (latest > 0) {
      html.append("<h2>Samples</h2>");
      String firstGrid = imageGrid(run, 1);
      boolean images = !firstGrid.isEmpty();
      for (int e : images ? epochs : new TreeSet<>(List.of(1, latest))) {
        String panel = !images ? scatter(run, e) : e == 1 ? firstGrid : imageGrid(run, e);
        html.append("<div class='c'><b>epoch ").append(e).append(" samples</b><br>").append(panel).append("</div>");
      }
    }
    html.append("<h2>Metrics per epoch</h2>");
    series.forEach((name, s) -> {
      if (s.size() > 1) {
        html.append("<div class='c'><b>").append(Html.escape(name)).append("</b><br>").append(curve(s)).append("</div>");
      }
    });
    html.append("<h2>Config</h2><pre>").append(Html.escape(config.toYaml())).append("</pre></body></html>\n");
    RunDirectory.writeAtomically(run.root().resolve("report.html"), html.toString());
  }

  private static String curve(TreeMap<Integer, Double> s) {
    double min = s.values().stream().mapToDouble(Double::doubleValue).min().orElse(0);
    double max = s.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    if (max == min) {
      max = min + 1;
    }
    int first = s.firstKey();
    int last = Math.max(s.lastKey(), first + 1);
    StringBuilder pts = new StringBuilder();
    for (var e : s.entrySet()) {
      double x = 40 + (W - 50) * (e.getKey() - first) / (double) (last - first);
      double y = H - 20 - (H - 30) * (e.getValue() - min) / (max - min);
      pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    return String.format(Locale.ROOT, "<svg width='%d' height='%d'><rect width='100%%' height='100%%' fill='#fff' stroke='#ccc'/>"
        + "<polyline fill='none' stroke='#1f77b4' stroke-width='2' points='%s'/>"
        + "<text x='2' y='14' font-size='11'>%.4g</text><text x='2' y='%d' font-size='11'>%.4g</text>"
        + "<text x='40' y='%d' font-size='11'>epoch %d</text><text x='%d' y='%d' font-size='11'>%d</text></svg>",
        W, H, pts, max, H - 22, min, H - 4, first, W - 30, H - 4, last);
  }

  /** The epoch's first 16 image samples (by sample id) as an inline PNG grid; "" for non-image samples. */
  private static String imageGrid(RunDirectory run, int epoch) {
    java.util.TreeMap<String, float[]> images = new java.util.TreeMap<>();
    int[] shape = null;
    for (GenericRecord r : ParquetRecords.read(run.epochDir(epoch).resolve("samples") + "/*.parquet")) {
      Tensor tensor = tensor((GenericRecord) r.get("endpoint"));
      int[] sh = Tensors.shape(tensor);
      if (sh.length != 3) {
        return "";
      }
      shape = sh;
      images.put(r.get("sample_id").toString(), Tensors.values(tensor));
    }
    if (shape == null) {
      return "";
    }
    List<float[]> first = new ArrayList<>(images.values()).subList(0, Math.min(16, images.size()));
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    try {
      javax.imageio.ImageIO.write(ImageGrid.grid(first, shape, 8, 2), "png", png);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return "<img alt='epoch " + epoch + "' src='data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png.toByteArray()) + "'>";
  }

  @SuppressWarnings("unchecked")
  private static Tensor tensor(GenericRecord t) {
    return Tensor.newBuilder().setShape(new ArrayList<>((List<Integer>) t.get("shape")))
        .setDtype(t.get("dtype").toString()).setData((java.nio.ByteBuffer) t.get("data")).build();
  }

  private static String scatter(RunDirectory run, int epoch) {
    List<GenericRecord> samples = ParquetRecords.read(run.epochDir(epoch).resolve("samples") + "/*.parquet");
    List<float[]> points = new ArrayList<>();
    for (GenericRecord r : samples) {
      float[] v = Tensors.values(tensor((GenericRecord) r.get("endpoint")));
      if (v.length == 2) {
        points.add(v);
      }
    }
    StringBuilder svg = new StringBuilder("<svg width='260' height='260' viewBox='-6 -6 12 12'>"
        + "<rect x='-6' y='-6' width='12' height='12' fill='#fff' stroke='#ccc' stroke-width='0.05'/>"
        + "<circle cx='4' cy='0' r='2.5' fill='none' stroke='#d62728' stroke-width='0.05'/>");
    for (float[] p : points) {
      svg.append(String.format(Locale.ROOT, "<circle cx='%.3f' cy='%.3f' r='0.06' fill='#1f77b4'/>", p[0], -p[1]));
    }
    return svg.append("</svg>").toString();
  }
}
