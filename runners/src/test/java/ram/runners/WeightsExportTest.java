package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ram.model.Checkpoint;
import ram.model.Optimizer;
import ram.model.ParameterSet;
import ram.model.TrainingState;

/**
 * {@code ./ram weights export}: the shipped toy base as safetensors, read back by a parser written here from the
 * format's description (8-byte little-endian header length, JSON header of dtype, shape and data offsets, then
 * little-endian F32 data), equal to {@link Checkpoint}'s theta name by name and bit by bit; a training
 * checkpoint's EMA; and the refusals, each exit code 2 with one line: an existing target (left untouched), a missing
 * checkpoint, the EMA of a base.
 */
class WeightsExportTest {

  static final Path TOY_BASE = RunConfigTest.HOME.resolve("models/toy2d/base");

  @TempDir Path tmp;

  /** The header length N: the first 8 bytes, little-endian. */
  static long headerLength(byte[] file) {
    long n = 0;
    for (int i = 7; i >= 0; i--) {
      n = (n << 8) | (file[i] & 0xff);
    }
    return n;
  }

  static JsonObject header(byte[] file) {
    return JsonParser.parseString(new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8)).getAsJsonObject();
  }

  /** The tensors of a safetensors file, parsed by hand, in the order of the header. */
  static ParameterSet parse(byte[] file) {
    long n = headerLength(file);
    JsonObject header = header(file);
    ParameterSet p = new ParameterSet();
    long expectedBegin = 0;
    for (Map.Entry<String, JsonElement> e : header.entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      JsonObject t = e.getValue().getAsJsonObject();
      assertEquals("F32", t.get("dtype").getAsString(), e.getKey());
      JsonArray dims = t.getAsJsonArray("shape");
      int[] shape = new int[dims.size()];
      long count = 1;
      for (int d = 0; d < shape.length; d++) {
        shape[d] = dims.get(d).getAsInt();
        count *= shape[d];
      }
      long begin = t.getAsJsonArray("data_offsets").get(0).getAsLong();
      long end = t.getAsJsonArray("data_offsets").get(1).getAsLong();
      assertEquals(expectedBegin, begin, e.getKey() + " follows the previous tensor");
      assertEquals(4 * count, end - begin, e.getKey());
      float[] v = new float[(int) count];
      for (int i = 0; i < v.length; i++) {
        int at = (int) (8 + n + begin + 4L * i);
        v[i] = Float.intBitsToFloat((file[at] & 0xff) | (file[at + 1] & 0xff) << 8 | (file[at + 2] & 0xff) << 16 | (file[at + 3] & 0xff) << 24);
      }
      p.put(e.getKey(), shape, v);
      expectedBegin = end;
    }
    assertEquals(file.length, 8 + n + expectedBegin, "the data ends with the file");
    return p;
  }

  static void assertSameTensors(ParameterSet expected, ParameterSet actual) {
    assertEquals(expected.names(), actual.names());
    for (String name : expected.names()) {
      assertArrayEquals(expected.shape(name), actual.shape(name), name);
      assertArrayEquals(expected.get(name), actual.get(name), name);
    }
  }

  @Test
  void theToyBaseExportsAsSafetensorsEqualToItsTheta() throws IOException {
    ParameterSet theta = Checkpoint.decodeTheta(Checkpoint.readDirectory(TOY_BASE), TOY_BASE.toString());
    Path file = tmp.resolve("toy2d.safetensors");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("weights", "export", TOY_BASE.toString(), "--to", file.toString());
    assertEquals(0, o.code(), o.err());
    assertEquals("wrote " + file + ": " + theta.names().size() + " tensors, " + theta.size() + " parameters", o.out().strip());
    byte[] bytes = Files.readAllBytes(file);
    assertSameTensors(theta, parse(bytes));
    JsonObject metadata = header(bytes).getAsJsonObject("__metadata__");
    assertEquals("theta", metadata.get("tensor").getAsString());
    assertEquals("toy-mlp-2d-128x3", metadata.get("architecture").getAsString());
  }

  @Test
  void aTrainingCheckpointsEmaExportsOnRequest() throws IOException {
    ParameterSet theta = new ParameterSet().put("w", new int[] {2}, new float[] {1f, 2f});
    ParameterSet ema = new ParameterSet().put("w", new int[] {2}, new float[] {0.25f, -3f});
    Path dir = tmp.resolve("checkpoint");
    Checkpoint.writeDirectory(dir, Checkpoint.encodeTraining(
        new TrainingState(1, theta, ema, new Optimizer.State(theta.zerosLike(), theta.zerosLike(), 3)), "toy-mlp-2d-128x3", "models/toy2d/base"));
    Path file = tmp.resolve("ema.safetensors");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram("weights", "export", dir.toString(), "--to", file.toString(), "--tensor", "ema");
    assertEquals(0, o.code(), o.err());
    assertSameTensors(ema, parse(Files.readAllBytes(file)));
  }

  static void assertRefused(BadInputCorpusTest.Outcome o, String names) {
    assertEquals(2, o.code(), o.out() + o.err());
    assertTrue(o.err().startsWith("error: ") && o.err().contains(names), o.err());
    assertEquals(1, o.err().lines().count(), o.err());
  }

  @Test
  void anExistingTargetAMissingCheckpointAndTheEmaOfABaseAreRefused() throws IOException {
    Path existing = Files.writeString(tmp.resolve("mine.safetensors"), "not ram's");
    assertRefused(BadInputCorpusTest.ram("weights", "export", TOY_BASE.toString(), "--to", existing.toString()), existing + " already exists");
    assertEquals("not ram's", Files.readString(existing));

    Path missing = tmp.resolve("no-such-checkpoint");
    Path target = tmp.resolve("out.safetensors");
    assertRefused(BadInputCorpusTest.ram("weights", "export", missing.toString(), "--to", target.toString()), missing.toString());
    assertRefused(BadInputCorpusTest.ram("weights", "export", TOY_BASE.toString(), "--to", target.toString(), "--tensor", "ema"),
        "a base checkpoint, which holds theta only");
    assertRefused(BadInputCorpusTest.ram("weights", "export", TOY_BASE.toString(), "--to", target.toString(), "--tensor", "adam"),
        "--tensor must be theta or ema, got 'adam'");
    assertFalse(Files.exists(target));
    try (var left = Files.list(tmp)) {
      assertEquals(List.of(existing), new ArrayList<>(left.toList()));
    }
  }
}
