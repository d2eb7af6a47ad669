package ram.runners.report;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import ram.model.DurableFiles;
import ram.runners.train.RunMetrics;

/**
 * A run's metrics as TensorBoard event files ({@code metrics_sinks: [tensorboard]}), so that a run
 * shows in the TensorBoard people already use: {@code tensorboard --logdir <run>}. One file per
 * epoch, {@code tensorboard/events.out.tfevents.<epoch>.ram}, holding each metric's epoch value
 * (the mean over the epoch's optimizer steps) at step = epoch; it is written once, when the epoch's
 * evaluation is in, so a resumed run neither duplicates nor rewrites a file TensorBoard is reading.
 *
 * <p>Written by hand: the format is a TFRecord stream (length, masked CRC-32C of the length, an
 * {@code Event} protocol buffer, its masked CRC-32C) of three small messages, and no library the
 * project's repository serves writes it without TensorFlow's own Java bindings.
 */
public final class TensorBoardEvents {

  /** The directory under a run that holds the event files. */
  public static final String DIRECTORY = "tensorboard";

  private TensorBoardEvents() {}

  /** Writes the event file of every epoch up to {@code upTo} that has none yet; returns how many it wrote. */
  public static int writeMissing(Path runRoot, List<RunMetrics.Row> rows, int upTo) {
    Map<Integer, Map<String, double[]>> byEpoch = new TreeMap<>();
    for (RunMetrics.Row r : rows) {
      double[] sum = byEpoch.computeIfAbsent(r.epoch(), e -> new TreeMap<>()).computeIfAbsent(r.name(), n -> new double[2]);
      sum[0] += r.value();
      sum[1]++;
    }
    int written = 0;
    for (Map.Entry<Integer, Map<String, double[]>> epoch : byEpoch.entrySet()) {
      Path file = file(runRoot, epoch.getKey());
      if (epoch.getKey() > upTo || Files.exists(file)) {
        continue;
      }
      Map<String, Double> values = new TreeMap<>();
      epoch.getValue().forEach((name, sum) -> values.put(name, sum[0] / sum[1]));
      DurableFiles.write(file, events(epoch.getKey(), values, System.currentTimeMillis() / 1000.0));
      written++;
    }
    return written;
  }

  /** The event file of an epoch. */
  public static Path file(Path runRoot, int epoch) {
    return runRoot.resolve(DIRECTORY).resolve(String.format("events.out.tfevents.%010d.ram", epoch));
  }

  /** The records of one file: the file version, then one summary of every value at step {@code step}. */
  static byte[] events(long step, Map<String, Double> values, double wallTime) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    record(out, event(wallTime, step, field(3, "brain.Event:2".getBytes(StandardCharsets.UTF_8))));
    ByteArrayOutputStream summary = new ByteArrayOutputStream();
    values.forEach((tag, value) -> {
      ByteArrayOutputStream v = new ByteArrayOutputStream();
      v.writeBytes(field(1, tag.getBytes(StandardCharsets.UTF_8)));
      v.write(0x15); // field 2, fixed32: simple_value
      v.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(value.floatValue()).array());
      summary.writeBytes(field(1, v.toByteArray()));
    });
    record(out, event(wallTime, step, field(5, summary.toByteArray())));
    return out.toByteArray();
  }

  /** An {@code Event}: wall_time (field 1, double), step (field 2, varint), then one more field. */
  private static byte[] event(double wallTime, long step, byte[] rest) {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    e.write(0x09);
    e.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(wallTime).array());
    e.write(0x10);
    varint(e, step);
    e.writeBytes(rest);
    return e.toByteArray();
  }

  /** A length-delimited protocol buffer field. */
  private static byte[] field(int number, byte[] bytes) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    varint(f, (number << 3) | 2);
    varint(f, bytes.length);
    f.writeBytes(bytes);
    return f.toByteArray();
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.write((int) value);
  }

  /** One TFRecord: length (uint64 LE), its masked CRC, the data, the data's masked CRC. */
  private static void record(ByteArrayOutputStream out, byte[] data) {
    byte[] length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(data.length).array();
    out.writeBytes(length);
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(length)).array());
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(data)).array());
  }

  /** TFRecord's masked CRC-32C: rotate right by 15 bits, add 0xa282ead8. */
  static int maskedCrc(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    int c = (int) crc.getValue();
    return ((c >>> 15) | (c << 17)) + 0xa282ead8;
  }
}
