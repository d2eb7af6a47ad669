package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.runners.report.TensorBoardEvents;
import ram.runners.train.RunDirectory;
import ram.runners.train.RunMetrics;

/**
 * {@code metrics_sinks: [tensorboard]}: the event files a run writes are read back by a reader
 * written here from the TFRecord and {@code Event} descriptions (length, masked CRC-32C of the
 * length, the record, its masked CRC; {@code Event} fields 1 wall_time, 2 step, 3 file_version,
 * 5 summary; {@code Summary.Value} fields 1 tag, 2 simple_value), and hold the run's own epoch values.
 */
class TensorBoardEventsTest {

  @TempDir Path tmp;

  /** One decoded file: its file_version and, per step, the values by tag. */
  record Decoded(String version, Map<Long, Map<String, Float>> values) {}

  static int masked(byte[] data) {
    CRC32C crc = new CRC32C();
    crc.update(data);
    int c = (int) crc.getValue();
    return Integer.rotateRight(c, 15) + 0xa282ead8;
  }

  static Decoded read(byte[] file) {
    ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    String version = null;
    Map<Long, Map<String, Float>> values = new TreeMap<>();
    while (in.hasRemaining()) {
      byte[] length = new byte[8];
      in.get(length);
      assertEquals(masked(length), in.getInt(), "the length's CRC");
      byte[] data = new byte[(int) ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getLong()];
      in.get(data);
      assertEquals(masked(data), in.getInt(), "the record's CRC");
      ByteBuffer e = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      long step = 0;
      while (e.hasRemaining()) {
        long key = varint(e);
        int field = (int) (key >>> 3);
        int type = (int) (key & 7);
        if (field == 1 && type == 1) {
          assertTrue(e.getDouble() > 1.6e9, "wall time in seconds since 1970");
        } else if (field == 2 && type == 0) {
          step = varint(e);
        } else if (field == 3 && type == 2) {
          version = new String(bytes(e), StandardCharsets.UTF_8);
        } else if (field == 5 && type == 2) {
          ByteBuffer summary = ByteBuffer.wrap(bytes(e)).order(ByteOrder.LITTLE_ENDIAN);
          while (summary.hasRemaining()) {
            assertEquals((1 << 3) | 2, varint(summary), "Summary.value");
            ByteBuffer value = ByteBuffer.wrap(bytes(summary)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals((1 << 3) | 2, varint(value), "Value.tag");
            String tag = new String(bytes(value), StandardCharsets.UTF_8);
            assertEquals((2 << 3) | 5, varint(value), "Value.simple_value");
            values.computeIfAbsent(step, s -> new TreeMap<>()).put(tag, value.getFloat());
          }
        } else {
          throw new AssertionError("unexpected field " + field + " of type " + type);
        }
      }
    }
    return new Decoded(version, values);
  }

  static long varint(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b.get() & 0xFF;
      v |= (long) (x & 0x7F) << shift;
      if (x < 0x80) {
        return v;
      }
    }
  }

  static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[(int) varint(b)];
    b.get(out);
    return out;
  }

  /** The check value of CRC-32C is crc("123456789") = 0xE3069283; masked by hand: ror 15 = 0x2507C60D, + 0xA282EAD8 = 0xC78AB0E5. */
  @Test
  void theRecordChecksumIsTfRecordsMaskedCrc32c() {
    assertEquals(0xC78AB0E5, masked("123456789".getBytes(StandardCharsets.US_ASCII)));
  }

  @Tag("slow")
  @Test
  void aRunWritesOneFilePerEpochOnceItsEvaluationIsInAndAResumeAddsOnlyTheNewOnes() throws Exception {
    Path run = tmp.resolve("run");
    String[] args = {"train", "toy2d", "--output_dir", run.toString(), "--runner", "direct", "--epochs", "2", "--prompts_per_epoch", "4",
        "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "2", "--eval_samples", "50", "--eval_every", "1",
        "--metrics_sinks", "tensorboard"};
    StorePipelinesTest.ok(args);
    List<RunMetrics.Row> rows = new RunMetrics(new RunDirectory(run)).rows(2);
    for (int epoch = 0; epoch <= 2; epoch++) {
      Decoded d = read(Files.readAllBytes(TensorBoardEvents.file(run, epoch)));
      assertEquals("brain.Event:2", d.version());
      Map<String, Float> values = d.values().get((long) epoch);
      assertEquals((float) RunMetrics.epochValue(rows, epoch, "eval_toy2d_mean"), values.get("eval_toy2d_mean"), "epoch " + epoch);
      if (epoch > 0) {
        assertEquals((float) RunMetrics.epochValue(rows, epoch, "reward_mean"), values.get("reward_mean"));
        assertEquals((float) RunMetrics.epochValue(rows, epoch, "loss"), values.get("loss"), "the mean over the epoch's 2 steps");
      }
    }
    byte[] first = Files.readAllBytes(TensorBoardEvents.file(run, 1));
    args[Arrays.asList(args).indexOf("--epochs") + 1] = "3";
    StorePipelinesTest.ok(args);
    assertArrayEquals(first, Files.readAllBytes(TensorBoardEvents.file(run, 1)), "a written epoch is never rewritten");
    try (var files = Files.list(run.resolve(TensorBoardEvents.DIRECTORY))) {
      assertEquals(4, files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).count(), "epochs 0 to 3");
    }
    assertTrue(read(Files.readAllBytes(TensorBoardEvents.file(run, 3))).values().get(3L).containsKey("eval_toy2d_mean"));
  }

  @Tag("slow")
  @Test
  void withoutTheSinkNoEventFileIsWritten() {
    Path run = tmp.resolve("plain");
    StorePipelinesTest.ok("train", "toy2d", "--output_dir", run.toString(), "--runner", "direct", "--epochs", "1", "--prompts_per_epoch",
        "2", "--images_per_prompt", "4", "--optimizer_steps_per_epoch", "1", "--eval_samples", "0");
    assertTrue(!Files.exists(run.resolve(TensorBoardEvents.DIRECTORY)));
    StorePipelinesTest.Result bad = StorePipelinesTest.ram("train", "toy2d", "--output_dir", tmp.resolve("bad").toString(),
        "--metrics_sinks", "wandb");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("--metrics_sinks: expected a list of [tensorboard], got '[wandb]'"), bad.err());
  }
}
