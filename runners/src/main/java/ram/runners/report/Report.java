package ram.runners.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.imageio.ImageIO;

import org.apache.avro.generic.GenericRecord;

import ram.config.RunConfig;
import ram.rewards.ToyRingReward;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;
import ram.schemas.Tensor;
import ram.transforms.ParquetRecords;
import ram.transforms.Tensors;

/**
 * {@code report.html}: the page a person opens after a run, in the order they ask about it: did
 * the task's reward go up (training reward per epoch), does it hold on held-out prompts (the
 * run's evaluations, epoch 0 being the base), what the policy draws (samples of up to six epochs
 * from first to last: image grids, or scatters for 2-D tasks), how the update behaved (loss,
 * drift and the other diagnostics, per optimizer step), and what it cost (time, memory). Every
 * chart has labelled axes with units ({@link SvgChart}); the page is self-contained (inline SVG,
 * images as data URIs) and rewritten at the end of every training command.
 */
public final class Report {

  /** Sample panels shown at most: the first epoch, the last, and evenly between. */
  static final int SAMPLE_EPOCHS = 6;

  private Report() {}

  public static void write(RunDirectory run, List<RunMetrics.Row> rows, RunConfig config) {
    ReportCharts charts = new ReportCharts(rows);
    int latest = rows.stream().mapToInt(RunMetrics.Row::epoch).max().orElse(0);
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html><html><head><meta charset='utf-8'><title>ram run ").append(Html.escape(config.name()))
        .append("</title><style>body{font-family:sans-serif;margin:20px} .c{display:inline-block;margin:8px;vertical-align:top}"
            + " .note{color:#555;font-size:12px;max-width:440px} pre{background:#f4f4f4;padding:8px}"
            + " td,th{padding:2px 10px;text-align:right} .tick{fill:#333}</style></head><body>");
    html.append("<h1>ram run: ").append(Html.escape(config.name())).append("</h1><p>").append(Html.escape(run.root())).append("</p>");
    html.append("<p>").append(Html.escape(summary(charts, latest, config))).append("</p>");

    html.append("<h2 id='reward'>Reward</h2>");
    section(html, charts.reward(), "No training reward recorded yet.");
    html.append("<h2 id='evaluation'>Held-out evaluation</h2>");
    section(html, charts.evaluation(), "No evaluation recorded (eval_samples is 0, or the run has not evaluated yet).");
    evaluationTable(html, charts);
    html.append("<h2 id='samples'>Samples</h2>");
    samples(html, run, latest, config);
    html.append("<h2 id='diagnostics'>Update diagnostics</h2>");
    section(html, charts.diagnostics(), "No diagnostics recorded yet.");
    html.append("<h2 id='costs'>Costs</h2>");
    section(html, charts.costs(), "No costs recorded yet.");
    html.append("<h2 id='config'>Config</h2><pre>").append(Html.escape(config.toYaml())).append("</pre></body></html>\n");
    RunDirectory.writeAtomically(run.root().resolve("report.html"), html.toString());
  }

  /** One line: epochs done, the training reward at the first and last epoch, the evaluation of the base and the last. */
  private static String summary(ReportCharts charts, int latest, RunConfig config) {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%d of %d epochs", latest, config.schedule().epochs()));
    TreeMap<Integer, Double> reward = charts.perEpoch("reward_mean");
    if (!reward.isEmpty()) {
      s.append(String.format(Locale.ROOT, "; training reward %.4f (epoch %d) -> %.4f (epoch %d)", reward.firstEntry().getValue(),
          reward.firstKey(), reward.lastEntry().getValue(), reward.lastKey()));
    }
    for (String n : charts.evaluationMeans()) {
      TreeMap<Integer, Double> v = charts.perEpoch(n);
      s.append(String.format(Locale.ROOT, "; %s %.4f (epoch %d) -> %.4f (epoch %d)", n, v.firstEntry().getValue(), v.firstKey(),
          v.lastEntry().getValue(), v.lastKey()));
    }
    return s.toString();
  }

  private static void section(StringBuilder html, List<ReportCharts.Chart> charts, String none) {
    if (charts.isEmpty()) {
      html.append("<p>").append(Html.escape(none)).append("</p>");
    }
    for (ReportCharts.Chart c : charts) {
      html.append("<div class='c'><b>").append(Html.escape(c.title())).append("</b><br>").append(c.svg())
          .append("<div class='note'>").append(Html.escape(c.note())).append("</div></div>");
    }
  }

  /** The evaluations' numbers: a row per evaluated epoch, a column per eval_* metric. */
  private static void evaluationTable(StringBuilder html, ReportCharts charts) {
    List<String> columns = charts.evaluationColumns();
    if (columns.isEmpty()) {
      return;
    }
    TreeSet<Integer> epochs = new TreeSet<>();
    columns.forEach(c -> epochs.addAll(charts.perEpoch(c).keySet()));
    html.append("<table><tr><th>epoch</th>");
    columns.forEach(c -> html.append("<th>").append(Html.escape(c)).append("</th>"));
    html.append("</tr>");
    for (int e : epochs) {
      html.append("<tr><td>").append(e).append("</td>");
      for (String c : columns) {
        Double v = charts.perEpoch(c).get(e);
        html.append("<td>").append(v == null ? "" : String.format(Locale.ROOT, "%.4f", v)).append("</td>");
      }
      html.append("</tr>");
    }
    html.append("</table>");
  }

  /** Up to {@link #SAMPLE_EPOCHS} epochs of {@code 1..latest}: the first, the last, and evenly spaced between. */
  public static List<Integer> sampleEpochs(int latest) {
    TreeSet<Integer> epochs = new TreeSet<>();
    for (int i = 0; i < SAMPLE_EPOCHS && latest > 0; i++) {
      epochs.add(1 + (int) Math.round(i * (latest - 1) / (double) (SAMPLE_EPOCHS - 1)));
    }
    return List.copyOf(epochs);
  }

  /** A panel per sample epoch: the first 16 images as a grid, or a scatter of all 2-D points on common axes. */
  private static void samples(StringBuilder html, RunDirectory run, int latest, RunConfig config) {
    List<Integer> epochs = sampleEpochs(latest);
    if (epochs.isEmpty()) {
      html.append("<p>No epoch published yet.</p>");
      return;
    }
    TreeMap<Integer, List<float[]>> points = new TreeMap<>();
    TreeMap<Integer, String> grids = new TreeMap<>();
    for (int e : epochs) {
      List<GenericRecord> samples = ParquetRecords.read(run.epochDir(e).resolve("samples") + "/*.parquet");
      String grid = imageGrid(samples, e);
      if (!grid.isEmpty()) {
        grids.put(e, grid);
      } else {
        points.put(e, points(samples));
      }
    }
    double extent = points.values().stream().flatMap(List::stream)
        .mapToDouble(p -> Math.max(Math.abs(p[0]), Math.abs(p[1]))).filter(Double::isFinite).max().orElse(1);
    boolean toyReward = config.task().rewards().containsKey(ToyRingReward.NAME);
    double[] circle = toyReward ? new double[] {ToyRingReward.CENTER_X, ToyRingReward.CENTER_Y, ToyRingReward.WIDTH} : null;
    String circleLabel = "reward: 1 sd around (" + ToyRingReward.CENTER_X + ", " + ToyRingReward.CENTER_Y + ")";
    for (int e : epochs) {
      String panel = grids.containsKey(e) ? grids.get(e) : SvgChart.scatter(points.get(e), extent, circle, circleLabel);
      html.append("<div class='c sample'><b>epoch ").append(e).append(" samples</b><br>").append(panel).append("</div>");
    }
  }

  /** The epoch's first 16 image samples (by sample id) as an inline PNG grid; "" for non-image samples. */
  private static String imageGrid(List<GenericRecord> samples, int epoch) {
    TreeMap<String, float[]> images = new TreeMap<>();
    int[] shape = null;
    for (GenericRecord r : samples) {
      Object image = r.getSchema().getField("image") != null ? r.get("image") : null; // a latent model's decoded image
      Tensor tensor = tensor((GenericRecord) (image != null ? image : r.get("endpoint")));
      int[] sh = Tensors.shape(tensor);
      if (sh.length != 3 || sh[0] != 3) {
        return "";
      }
      shape = sh;
      images.put(r.get("sample_id").toString(), Tensors.values(tensor));
    }
    if (shape == null) {
      return "";
    }
    List<float[]> first = new ArrayList<>(images.values()).subList(0, Math.min(16, images.size()));
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    try {
      ImageIO.write(ImageGrid.grid(first, shape, 8, 2), "png", png);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "<img alt='epoch " + epoch + " samples' src='data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray())
        + "'>";
  }

  /** The 2-D endpoints among the samples. */
  private static List<float[]> points(List<GenericRecord> samples) {
    List<float[]> points = new ArrayList<>();
    for (GenericRecord r : samples) {
      float[] v = Tensors.values(tensor((GenericRecord) r.get("endpoint")));
      if (v.length == 2) {
        points.add(v);
      }
    }
    return points;
  }

  @SuppressWarnings("unchecked")
  private static Tensor tensor(GenericRecord t) {
    return Tensor.newBuilder().setShape(new ArrayList<>((List<Integer>) t.get("shape")))
        .setDtype(t.get("dtype").toString()).setData((ByteBuffer) t.get("data")).build();
  }
}
