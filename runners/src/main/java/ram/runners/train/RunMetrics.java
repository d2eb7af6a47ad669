package ram.runners.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import org.apache.avro.generic.GenericRecord;

import ram.transforms.ParquetRecords;

/**
 * The run's metrics: what each epoch's pipeline wrote ({@code epochs/N/metrics/}) plus what the
 * driver measured ({@code driver/epoch-N.json}: evaluation, wall times). {@code metrics.jsonl} and
 * {@code metrics.csv} are rebuilt from those sources after every epoch, so a resumed run never
 * duplicates a row.
 */
public final class RunMetrics {

  /** One metric value: epoch, optimizer step within the epoch (or -1), name, value. */
  public record Row(int epoch, int step, String name, double value) {}

  private static final Gson GSON = new Gson();
  private final RunDirectory run;
  /** Rows read from published epochs' Parquet; a published epoch never changes, so it is read once. */
  private final Map<Integer, List<Row>> pipelineRows = new TreeMap<>();

  public RunMetrics(RunDirectory run) {
    this.run = run;
  }

  public Path driverFile(int epoch) {
    return run.root().resolve("driver").resolve(String.format("epoch-%06d.json", epoch));
  }

  /** Records driver-side numbers of an epoch (merged with any already recorded). */
  public void recordDriver(int epoch, Map<String, Double> values) {
    Map<String, Double> all = new TreeMap<>(readDriver(epoch));
    all.putAll(values);
    RunDirectory.writeAtomically(driverFile(epoch), GSON.toJson(all) + "\n");
  }

  public Map<String, Double> readDriver(int epoch) {
    Path f = driverFile(epoch);
    Map<String, Double> out = new TreeMap<>();
    if (Files.exists(f)) {
      JsonObject o = GSON.fromJson(RunDirectory.read(f), JsonObject.class);
      o.entrySet().forEach(e -> out.put(e.getKey(), e.getValue().getAsDouble()));
    }
    return out;
  }

  /** All rows of epochs 0..latest, sorted by epoch, step, name. */
  public List<Row> rows(int latest) {
    List<Row> rows = new ArrayList<>();
    for (int e = 0; e <= latest; e++) {
      if (e > 0) {
        rows.addAll(pipelineRows.computeIfAbsent(e, this::readPipelineRows));
      }
      int epoch = e;
      readDriver(e).forEach((k, v) -> rows.add(new Row(epoch, -1, k, v)));
    }
    rows.sort((a, b) -> a.epoch != b.epoch ? Integer.compare(a.epoch, b.epoch)
        : a.step != b.step ? Integer.compare(a.step, b.step) : a.name.compareTo(b.name));
    return rows;
  }

  private List<Row> readPipelineRows(int epoch) {
    List<Row> rows = new ArrayList<>();
    for (GenericRecord r : ParquetRecords.read(run.epochDir(epoch).resolve("metrics").toString() + "/*.parquet")) {
      Object step = r.get("step");
      rows.add(new Row(epoch, step == null ? -1 : (Integer) step, r.get("name").toString(), (Double) r.get("value")));
    }
    return rows;
  }

  /** Rewrites {@code metrics.jsonl} and {@code metrics.csv}. */
  public List<Row> rebuild(int latest) {
    List<Row> rows = rows(latest);
    StringBuilder jsonl = new StringBuilder();
    StringBuilder csv = new StringBuilder("epoch,step,name,value\n");
    for (Row r : rows) {
      JsonObject o = new JsonObject();
      o.addProperty("epoch", r.epoch);
      if (r.step >= 0) {
        o.addProperty("step", r.step);
      }
      o.addProperty("name", r.name);
      o.addProperty("value", r.value);
      jsonl.append(GSON.toJson(o)).append('\n');
      csv.append(r.epoch).append(',').append(r.step >= 0 ? Integer.toString(r.step) : "").append(',')
          .append(r.name).append(',').append(r.value).append('\n');
    }
    RunDirectory.writeAtomically(run.root().resolve("metrics.jsonl"), jsonl.toString());
    RunDirectory.writeAtomically(run.root().resolve("metrics.csv"), csv.toString());
    return rows;
  }

  /** Epoch-level value of a metric (mean over steps when it is per step), or NaN. */
  public static double epochValue(List<Row> rows, int epoch, String name) {
    double sum = 0;
    int n = 0;
    for (Row r : rows) {
      if (r.epoch == epoch && r.name.equals(name)) {
        sum += r.value;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / n;
  }

}
