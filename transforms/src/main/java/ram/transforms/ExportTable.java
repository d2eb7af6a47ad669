package ram.transforms;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.parquet.ParquetIO;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

import ram.rewards.image.ImageTensors;
import ram.schemas.ExportRow;
import ram.schemas.Reward;
import ram.schemas.Sample;

/**
 * The flat table of an export: one row per sample, columns in a fixed order (sample fields,
 * {@code advantage}, one {@code reward_<name>} per reward, then {@code file_name} for image
 * samples or {@code endpoint} for others), written as Parquet, CSV, JSON lines, or the
 * {@code metadata.jsonl} of a Hugging Face imagefolder.
 */
public final class ExportTable {

  /** Output formats. */
  public enum Format {
    PARQUET("samples.parquet"), CSV("samples.csv"), JSONL("samples.jsonl"), IMAGEFOLDER("metadata.jsonl");

    public final String fileName;

    Format(String fileName) {
      this.fileName = fileName;
    }

    public static Format parse(String s) {
      for (Format f : values()) {
        if (f.name().equalsIgnoreCase(s)) {
          return f;
        }
      }
      throw new IllegalArgumentException("unknown format '" + s + "'; expected parquet, csv, jsonl or imagefolder");
    }
  }

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().serializeSpecialFloatingPointValues().create();

  private ExportTable() {}

  /** Reward values by name; a name scored twice (stored and rescored) keeps the newest version's value. */
  public static Map<String, Double> rewardsByName(Iterable<Reward> records) {
    List<Reward> sorted = new ArrayList<>();
    records.forEach(sorted::add);
    sorted.sort(Comparator.comparing(Reward::getRewardName).thenComparing(Reward::getRewardVersion)
        .thenComparing(r -> r.getValue() == null ? Double.NEGATIVE_INFINITY : r.getValue()));
    Map<String, Double> out = new TreeMap<>();
    for (Reward r : sorted) {
      out.put(r.getRewardName(), r.getValue());
    }
    return out;
  }

  /** Whether a stored endpoint is an RGB image. */
  public static boolean isImage(int[] shape) {
    return shape.length == 3 && shape[0] == 3;
  }

  /** The export-relative PNG of an image sample, or null for other samples and undecodable images. */
  public static String pngName(Sample s) {
    int[] shape = Tensors.shape(Tensors.image(s));
    if (!isImage(shape)) {
      return null;
    }
    try {
      ImageTensors.toImage(Tensors.values(Tensors.image(s)), shape);
      return "images/" + s.getSampleId() + ".png";
    } catch (IllegalArgumentException e) {
      return null; // NaN or malformed: no picture, the row keeps its rewards
    }
  }

  /** The PNG bytes of an image row. */
  public static byte[] png(ExportRow row) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ImageIO.write(ImageTensors.toImage(Tensors.values(row.getEndpoint()), Tensors.shape(row.getEndpoint())), "png", bytes);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + row.getSampleId() + " as PNG: " + e.getMessage(), e);
    }
  }

  /** The columns of one row, in table order. */
  public static LinkedHashMap<String, Object> columns(ExportRow r, List<String> rewardNames, boolean images) {
    LinkedHashMap<String, Object> c = new LinkedHashMap<>();
    if (images) {
      c.put("file_name", r.getFileName());
    }
    c.put("sample_id", r.getSampleId());
    c.put("epoch", r.getEpoch());
    c.put("prompt_id", r.getPromptId());
    c.put("prompt", r.getPrompt());
    c.put("tag", r.getTag());
    c.put("prompt_slot", r.getPromptSlot());
    c.put("group_index", r.getGroupIndex());
    c.put("seed", r.getSeed());
    c.put("policy_version", r.getPolicyVersion());
    c.put("advantage", r.getAdvantage());
    for (String name : rewardNames) {
      c.put("reward_" + name, r.getRewards().get(name));
    }
    if (!images) {
      List<Double> endpoint = new ArrayList<>();
      for (float v : Tensors.values(r.getEndpoint())) {
        endpoint.add((double) v);
      }
      c.put("endpoint", endpoint);
    }
    return c;
  }

  /** The Avro schema of the Parquet table. */
  public static Schema parquetSchema(List<String> rewardNames, boolean images) {
    SchemaBuilder.FieldAssembler<Schema> f = SchemaBuilder.record("ExportedSample").namespace("ram.export").fields();
    if (images) {
      f = f.optionalString("file_name");
    }
    f = f.requiredString("sample_id").requiredInt("epoch").requiredString("prompt_id").requiredString("prompt")
        .optionalString("tag").requiredInt("prompt_slot").requiredInt("group_index").requiredLong("seed")
        .requiredInt("policy_version").optionalDouble("advantage");
    for (String name : rewardNames) {
      f = f.optionalDouble("reward_" + name);
    }
    if (!images) {
      f = f.name("endpoint").type().array().items().doubleType().noDefault();
    }
    return f.endRecord();
  }

  /** Writes the rows (sorted by epoch, then sample id) to {@code uri} in {@code format}. */
  public static void write(List<ExportRow> rows, String uri, Format format, List<String> rewardNames, boolean images) {
    List<ExportRow> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparing(ExportRow::getEpoch).thenComparing(ExportRow::getSampleId));
    try {
      if (format == Format.PARQUET) {
        Schema schema = parquetSchema(rewardNames, images);
        ParquetIO.Sink sink = ParquetIO.sink(schema).withCompressionCodec(CompressionCodecName.SNAPPY);
        sink.open(FileSystems.create(FileSystems.matchNewResource(uri, false), MimeTypes.BINARY));
        for (ExportRow r : sorted) {
          GenericRecord g = new GenericData.Record(schema);
          columns(r, rewardNames, images).forEach(g::put);
          sink.write(g);
        }
        sink.flush();
        return;
      }
      StringBuilder text = new StringBuilder();
      if (format == Format.CSV) {
        text.append(String.join(",", columnNames(rewardNames, images))).append('\n');
      }
      for (ExportRow r : sorted) {
        Map<String, Object> c = columns(r, rewardNames, images);
        if (format == Format.CSV) {
          List<String> cells = new ArrayList<>();
          c.values().forEach(v -> cells.add(csvCell(v)));
          text.append(String.join(",", cells)).append('\n');
        } else {
          text.append(GSON.toJson(c)).append('\n');
        }
      }
      try (var out = Channels.newOutputStream(FileSystems.create(FileSystems.matchNewResource(uri, false), MimeTypes.TEXT))) {
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri + ": " + e.getMessage(), e);
    }
  }

  /** The column names, in table order. */
  public static List<String> columnNames(List<String> rewardNames, boolean images) {
    return parquetSchema(rewardNames, images).getFields().stream().map(Schema.Field::name).toList();
  }

  private static String csvCell(Object v) {
    if (v == null) {
      return "";
    }
    String s = v instanceof List<?> ? GSON.toJson(v) : String.valueOf(v);
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
