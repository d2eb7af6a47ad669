package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * {@link SafeTensors} against the format's published description, read by a parser written here: an 8-byte
 * little-endian header length N, N bytes of UTF-8 JSON mapping each name to {dtype, shape, data_offsets [begin,
 * end)} relative to the byte after the header, then the raw little-endian data. Also a file assembled byte by byte
 * (out-of-order header, F16 and BF16 tensors), and what {@code readInto} refuses.
 */
class SafeTensorsTest {

  @TempDir Path dir;

  /** Out of alphabetical order, with a scalar and an empty tensor, so order and shapes are visible. */
  static ParameterSet handMade() {
    return new ParameterSet()
        .put("z.weight", new int[] {2, 3}, new float[] {1f, -2f, 0.5f, 3.25f, -0f, 1e-3f})
        .put("a.bias", new int[] {3}, new float[] {Float.MIN_VALUE, Float.MAX_VALUE, -7f})
        .put("scalar", new int[] {}, new float[] {7.5f})
        .put("empty", new int[] {0}, new float[] {});
  }

  /** A tensor as the independent parser sees it. */
  record Parsed(String name, String dtype, List<Long> shape, long begin, long end) {}

  /** Little-endian unsigned bytes to a long, by hand. */
  static long littleEndian(byte[] b, int at, int length) {
    long v = 0;
    for (int i = length - 1; i >= 0; i--) {
      v = (v << 8) | (b[at + i] & 0xff);
    }
    return v;
  }

  static long headerLength(byte[] file) {
    return littleEndian(file, 0, 8);
  }

  static JsonObject header(byte[] file) {
    return JsonParser.parseString(new String(file, 8, (int) headerLength(file), StandardCharsets.UTF_8)).getAsJsonObject();
  }

  /** The header's tensors in the header's order. */
  static List<Parsed> tensors(byte[] file) {
    List<Parsed> out = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : header(file).entrySet()) {
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      JsonObject t = e.getValue().getAsJsonObject();
      List<Long> shape = new ArrayList<>();
      t.getAsJsonArray("shape").forEach(d -> shape.add(d.getAsLong()));
      JsonArray offsets = t.getAsJsonArray("data_offsets");
      out.add(new Parsed(e.getKey(), t.get("dtype").getAsString(), shape, offsets.get(0).getAsLong(), offsets.get(1).getAsLong()));
    }
    return out;
  }

  /** An F32 tensor's values, each assembled from its four little-endian bytes. */
  static float[] f32(byte[] file, Parsed t) {
    int start = (int) (8 + headerLength(file) + t.begin);
    float[] v = new float[(int) (t.end - t.begin) / 4];
    for (int i = 0; i < v.length; i++) {
      v[i] = Float.intBitsToFloat((int) littleEndian(file, start + 4 * i, 4));
    }
    return v;
  }

  @Test
  void whatRamWritesReadsAsSafetensorsWithNamesShapesOffsetsAndExactValues() throws IOException {
    Path file = dir.resolve("w.safetensors");
    ParameterSet p = handMade();
    SafeTensors.write(p, Map.of("format", "pt"), file);
    byte[] bytes = Files.readAllBytes(file);
    long n = headerLength(bytes);
    assertEquals(0, n % 8, "the data starts 8-byte aligned");
    assertEquals(8 + n + 4 * (6 + 3 + 1), bytes.length);
    assertEquals('{', bytes[8]);
    assertEquals("{\"format\":\"pt\"}", header(bytes).get("__metadata__").toString());

    List<Parsed> tensors = tensors(bytes);
    assertEquals(List.of(new Parsed("z.weight", "F32", List.of(2L, 3L), 0, 24), new Parsed("a.bias", "F32", List.of(3L), 24, 36),
        new Parsed("scalar", "F32", List.of(), 36, 40), new Parsed("empty", "F32", List.of(0L), 40, 40)), tensors);
    // 1.0f is 0x3F800000: little-endian bytes 00 00 80 3F at the start of the data
    assertArrayEquals(new byte[] {0, 0, (byte) 0x80, 0x3f}, Arrays.copyOfRange(bytes, (int) (8 + n), (int) (8 + n + 4)));
    assertArrayEquals(new float[] {1f, -2f, 0.5f, 3.25f, -0f, 1e-3f}, f32(bytes, tensors.get(0)));
    assertArrayEquals(new float[] {Float.MIN_VALUE, Float.MAX_VALUE, -7f}, f32(bytes, tensors.get(1)));
    assertArrayEquals(new float[] {7.5f}, f32(bytes, tensors.get(2)));

    assertArrayEquals(bytes, SafeTensors.toBytes(p, Map.of("format", "pt")));
    try (var left = Files.list(dir)) {
      assertEquals(List.of(file), left.toList(), "no temporary file is left beside it");
    }
  }

  @Test
  void aRoundTripGivesTheSameTensorsInTheSameOrder() {
    Path file = dir.resolve("sub/w.safetensors");
    ParameterSet p = handMade();
    SafeTensors.write(p, file);
    ParameterSet back = SafeTensors.read(file);
    assertEquals(p, back);
    assertEquals(p.names(), back.names());
    assertEquals(p.names(), SafeTensors.readInto(p.zerosLike(), file).names());
    assertEquals(p, SafeTensors.readInto(p.zerosLike(), file));
    assertFalse(header(SafeTensors.toBytes(p)).has("__metadata__"));
  }

  /** The data of a hand-built file: F32 [1.5, -2], BF16 [1, -3, 3.140625], F16 [[1, 2^-24, 0.333251953125]]. */
  static byte[] handBuilt(String header) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] json = header.getBytes(StandardCharsets.UTF_8);
    long n = json.length;
    for (int i = 0; i < 8; i++) {
      out.write((int) (n >>> (8 * i)) & 0xff);
    }
    out.writeBytes(json);
    out.writeBytes(new byte[] {0, 0, (byte) 0xc0, 0x3f, 0, 0, 0, (byte) 0xc0}); // 0x3FC00000 = 1.5, 0xC0000000 = -2
    out.writeBytes(new byte[] {(byte) 0x80, 0x3f, 0x40, (byte) 0xc0, 0x49, 0x40}); // BF16 0x3F80, 0xC040, 0x4049
    out.writeBytes(new byte[] {0x00, 0x3c, 0x01, 0x00, 0x55, 0x35}); // F16 0x3C00, 0x0001, 0x3555
    return out.toByteArray();
  }

  static final String HAND_HEADER = "{\"c\":{\"dtype\":\"F16\",\"shape\":[1,3],\"data_offsets\":[14,20]},"
      + "\"__metadata__\":{\"source\":\"hand\"},"
      + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]}}   ";

  @Test
  void aFileBuiltByHandReadsInTheOrderOfItsDataWithF16AndBf16Widened() throws IOException {
    Path file = Files.write(dir.resolve("hand.safetensors"), handBuilt(HAND_HEADER));
    ParameterSet p = SafeTensors.read(file);
    assertEquals(List.of("a", "b", "c"), p.names());
    assertArrayEquals(new int[] {1, 3}, p.shape("c"));
    assertArrayEquals(new float[] {1.5f, -2f}, p.get("a"));
    assertArrayEquals(new float[] {1f, -3f, 3.140625f}, p.get("b"));
    assertArrayEquals(new float[] {1f, 0x1p-24f, 0.333251953125f}, p.get("c"));
    assertEquals(0.333251953125f, SafeTensors.halfToFloat(0x3555));
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(SafeTensors.halfToFloat(0x8000)));
    assertEquals(65504f, SafeTensors.halfToFloat(0x7bff));
    assertEquals(Float.NEGATIVE_INFINITY, SafeTensors.halfToFloat(0xfc00));
  }

  static String refusal(ParameterSet layout, Path file) {
    String message = assertThrows(IllegalArgumentException.class, () -> SafeTensors.readInto(layout, file)).getMessage();
    assertTrue(message.startsWith(file + ": "), message);
    assertFalse(message.contains("\n"), message);
    return message;
  }

  @Test
  void readIntoRefusesOtherNamesNamingAFewMissingAndUnexpectedOnes() {
    Path file = dir.resolve("w.safetensors");
    SafeTensors.write(handMade(), file);
    ParameterSet layout = new ParameterSet().put("z.weight", new int[] {2, 3}, new float[6]).put("a.bias", new int[] {3}, new float[3])
        .put("scalar", new int[] {}, new float[1]).put("b.other", new int[] {1}, new float[1]);
    String message = refusal(layout, file);
    assertTrue(message.contains("missing [b.other], unexpected [empty]"), message);

    ParameterSet many = new ParameterSet();
    for (int i = 0; i < 8; i++) {
      many.put("w" + i, new int[] {1}, new float[1]);
    }
    message = refusal(many, file);
    assertTrue(message.contains("missing [w0, w1, w2, w3, w4, ... (8 in all)], unexpected [a.bias, empty, scalar, z.weight]"), message);
  }

  @Test
  void readIntoRefusesAnotherShapeNamingTheTensorAndBothShapes() {
    Path file = dir.resolve("w.safetensors");
    SafeTensors.write(handMade(), file);
    ParameterSet layout = new ParameterSet().put("z.weight", new int[] {3, 2}, new float[6]).put("a.bias", new int[] {3}, new float[3])
        .put("scalar", new int[] {}, new float[1]).put("empty", new int[] {0}, new float[0]);
    String message = refusal(layout, file);
    assertTrue(message.contains("tensor z.weight has shape [2, 3], expected [3, 2]"), message);
  }

  @Test
  void otherDtypesBrokenOffsetsAndTruncationAreRefusedNamingTheFile() throws IOException {
    Path i32 = Files.write(dir.resolve("i32.safetensors"), handBuilt(HAND_HEADER.replace("\"BF16\"", "\"I16\"")));
    String message = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(i32)).getMessage();
    assertEquals(i32 + ": tensor b: dtype I16 is not supported; accepted: F32, F16, BF16", message);

    Path wrongSpan = Files.write(dir.resolve("span.safetensors"), handBuilt(HAND_HEADER.replace("\"shape\":[2]", "\"shape\":[3]")));
    message = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(wrongSpan)).getMessage();
    assertTrue(message.startsWith(wrongSpan + ": tensor a: data_offsets [0,8] span 8 bytes, but shape [3] of F32 needs 12"), message);

    byte[] whole = SafeTensors.toBytes(handMade());
    Path truncated = Files.write(dir.resolve("cut.safetensors"), Arrays.copyOf(whole, whole.length - 4));
    message = assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(truncated)).getMessage();
    assertTrue(message.startsWith(truncated + ": ") && message.contains("truncated"), message);

    Path missing = dir.resolve("none.safetensors");
    assertEquals(missing + ": no such file",
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.read(missing)).getMessage());
  }
}
