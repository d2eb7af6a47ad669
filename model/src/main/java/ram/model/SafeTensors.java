package ram.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/**
 * A {@link ParameterSet} as a <a href="https://huggingface.co/docs/safetensors">safetensors</a> file, keyed by
 * parameter name, so that weights move between ram and other tools: an 8-byte little-endian header length N, N
 * bytes of JSON mapping each name to its dtype, shape and {@code data_offsets} (relative to the end of the header,
 * and padded with spaces to a multiple of 8, as the reference writer does), then the little-endian data. ram
 * writes F32, tensors in the set's order in both the header and the data, and an optional string-to-string
 * {@code __metadata__}; it reads F32, F16 and BF16 (converted exactly to float). A file is checked whole before a
 * value is used: readable header, known dtype, data offsets that agree with shape and dtype and cover the data
 * without gaps or overlaps, finite values; each refusal is one {@link IllegalArgumentException} line naming the file.
 *
 * <p>Written by hand rather than with DJL 0.36's {@code NDList.encode(out, Encoding.SAFETENSORS)}, which does carry
 * names ({@code NDArray.setName}) and works offline on the CPU engine, but builds its header from a hash map, so the
 * header and {@code NDList.decode} list tensors in hash order rather than the set's; writes no {@code __metadata__}
 * and no header padding; does not check that offsets agree with shapes; and passes every tensor through native
 * engine memory for what is a byte copy. The format is small enough that the codec below is the whole of it.
 */
public final class SafeTensors {

  /** The dtypes {@link #read} accepts (F16 and BF16 are widened to float exactly). */
  public static final List<String> ACCEPTED_DTYPES = List.of("F32", "F16", "BF16");
  private static final String METADATA = "__metadata__";
  /** The reference reader's bound on the header, which keeps a corrupt length from allocating gigabytes. */
  private static final long MAX_HEADER_BYTES = 100_000_000L;
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  /** Shown names of a mismatch, at most. */
  private static final int SHOWN = 5;

  private SafeTensors() {}

  /** Writes {@code params} to {@code file} atomically: a temporary sibling, synced, then renamed into place. */
  public static void write(ParameterSet params, Path file) {
    write(params, Map.of(), file);
  }

  /** The same, with {@code metadata} as the header's {@code __metadata__} (left out when empty). */
  public static void write(ParameterSet params, Map<String, String> metadata, Path file) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream out = Files.newOutputStream(tmp)) {
        write(params, metadata, out);
      }
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      deleteQuietly(tmp);
      throw e;
    }
    DurableFiles.sync(tmp);
    DurableFiles.rename(tmp, file);
  }

  private static void deleteQuietly(Path tmp) {
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // the write's own failure is the one to report; the leftover is named as a temporary file
    }
  }

  /** The bytes of the file {@link #write} writes. */
  public static byte[] toBytes(ParameterSet params) {
    return toBytes(params, Map.of());
  }

  /** The same, with {@code metadata}. */
  public static byte[] toBytes(ParameterSet params, Map<String, String> metadata) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      write(params, metadata, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void write(ParameterSet params, Map<String, String> metadata, OutputStream out) throws IOException {
    if (params.names().contains(METADATA)) {
      throw new IllegalArgumentException("parameter name " + METADATA + " is reserved by the safetensors format");
    }
    JsonObject header = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      new TreeMap<>(metadata).forEach(meta::addProperty);
      header.add(METADATA, meta);
    }
    long offset = 0;
    for (String name : params.names()) {
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", "F32");
      JsonArray shape = new JsonArray();
      Arrays.stream(params.shape(name)).forEach(shape::add);
      entry.add("shape", shape);
      long end = offset + 4L * params.get(name).length;
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offsets.add(end);
      entry.add("data_offsets", offsets);
      header.add(name, entry);
      offset = end;
    }
    byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).put(json);
    while (head.hasRemaining()) {
      head.put((byte) ' ');
    }
    out.write(head.array());
    for (String name : params.names()) {
      float[] v = params.get(name);
      ByteBuffer data = ByteBuffer.allocate(Math.multiplyExact(v.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
      data.asFloatBuffer().put(v);
      out.write(data.array());
    }
    out.flush();
  }

  /** Every tensor of {@code file}, in the order of its data, as float. */
  public static ParameterSet read(Path file) {
    try (FileChannel channel = open(file)) {
      Header header = header(channel, file);
      ParameterSet p = new ParameterSet();
      for (Entry e : header.entries) {
        p.put(e.name, e.shape, values(channel, header, e, file));
      }
      return requireFinite(p, file);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The values of {@code file} in {@code layout}'s names, order and shapes. A file whose tensor names differ from
   * the layout's (naming a few missing and unexpected ones) or whose shapes differ (naming the tensor, the expected
   * and the found shape) is refused before its data is read.
   */
  public static ParameterSet readInto(ParameterSet layout, Path file) {
    try (FileChannel channel = open(file)) {
      Header header = header(channel, file);
      Map<String, Entry> byName = new LinkedHashMap<>();
      header.entries.forEach(e -> byName.put(e.name, e));
      List<String> missing = layout.names().stream().filter(n -> !byName.containsKey(n)).toList();
      Set<String> expected = new HashSet<>(layout.names());
      List<String> unexpected = byName.keySet().stream().filter(n -> !expected.contains(n)).sorted().toList();
      if (!missing.isEmpty() || !unexpected.isEmpty()) {
        throw new IllegalArgumentException(file + ": tensor names differ from the model's: missing " + shown(missing)
            + ", unexpected " + shown(unexpected));
      }
      for (String name : layout.names()) {
        if (!Arrays.equals(layout.shape(name), byName.get(name).shape)) {
          throw new IllegalArgumentException(file + ": tensor " + name + " has shape " + Arrays.toString(byName.get(name).shape)
              + ", expected " + Arrays.toString(layout.shape(name)));
        }
      }
      ParameterSet p = new ParameterSet();
      for (String name : layout.names()) {
        p.put(name, layout.shape(name), values(channel, header, byName.get(name), file));
      }
      return requireFinite(p, file);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  private static FileChannel open(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException(file + ": a directory, expected a .safetensors file");
    }
    try {
      return FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file");
    }
  }

  private static String shown(List<String> names) {
    return names.size() <= SHOWN ? names.toString()
        : names.subList(0, SHOWN).toString().replaceFirst("]$", ", ... (" + names.size() + " in all)]");
  }

  private static ParameterSet requireFinite(ParameterSet p, Path file) {
    List<String> broken = p.nonFiniteNames();
    if (!broken.isEmpty()) {
      throw new IllegalArgumentException(file + ": tensor " + broken.get(0) + " holds a non-finite value (NaN or infinity)");
    }
    return p;
  }

  /** One tensor's header entry; {@code begin} and {@code end} are relative to the data, which starts at {@code dataStart}. */
  private record Entry(String name, String dtype, int[] shape, long begin, long end) {}

  /** The parsed header: the entries in the order of their data. */
  private record Header(List<Entry> entries, long dataStart) {}

  private static Header header(FileChannel channel, Path file) throws IOException {
    long size = channel.size();
    if (size < 8) {
      throw new IllegalArgumentException(file + ": " + size + " bytes, too short for a safetensors file");
    }
    long n = readFully(channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 2 || n > size - 8 || n > MAX_HEADER_BYTES) {
      throw new IllegalArgumentException(file + ": header length " + Long.toUnsignedString(n) + " does not fit the file's "
          + size + " bytes (not a safetensors file, or a truncated one)");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(readFully(channel, 8, (int) n)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": the header is not UTF-8 text");
    }
    JsonElement parsed;
    try {
      parsed = text.startsWith("{") ? JsonParser.parseString(text) : null;
    } catch (JsonParseException e) {
      parsed = null;
    }
    if (parsed == null || !parsed.isJsonObject()) {
      throw new IllegalArgumentException(file + ": the header is not a JSON object (not a safetensors file)");
    }
    List<Entry> entries = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : parsed.getAsJsonObject().entrySet()) {
      if (!e.getKey().equals(METADATA)) {
        entries.add(entry(e.getKey(), e.getValue(), file));
      }
    }
    entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long at = 0;
    for (Entry e : entries) {
      if (e.begin != at) {
        throw new IllegalArgumentException(file + ": tensor " + e.name + ": data_offsets [" + e.begin + ", " + e.end + ") "
            + (e.begin < at ? "overlap another tensor's" : "leave a gap after byte " + at + " of the data"));
      }
      at = e.end;
    }
    if (at != size - 8 - n) {
      throw new IllegalArgumentException(file + ": the tensors' data ends at byte " + at + ", but the file holds "
          + (size - 8 - n) + " bytes of data (truncated or trailing bytes)");
    }
    return new Header(entries, 8 + n);
  }

  private static Entry entry(String name, JsonElement value, Path file) {
    String where = file + ": tensor " + name;
    if (!value.isJsonObject()) {
      throw new IllegalArgumentException(where + ": expected {dtype, shape, data_offsets}, got " + value);
    }
    JsonObject o = value.getAsJsonObject();
    JsonElement dtype = o.get("dtype");
    if (dtype == null || !dtype.isJsonPrimitive() || !dtype.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(where + ": dtype must be a string, got " + dtype);
    }
    if (!ACCEPTED_DTYPES.contains(dtype.getAsString())) {
      throw new IllegalArgumentException(where + ": dtype " + dtype.getAsString() + " is not supported; accepted: "
          + String.join(", ", ACCEPTED_DTYPES));
    }
    long[] shape = naturals(o.get("shape"), where + ": shape");
    long[] offsets = naturals(o.get("data_offsets"), where + ": data_offsets");
    if (offsets.length != 2 || offsets[1] < offsets[0]) {
      throw new IllegalArgumentException(where + ": data_offsets must be [begin, end] with begin <= end, got " + o.get("data_offsets"));
    }
    long count = 1;
    int[] dims = new int[shape.length];
    for (int i = 0; i < shape.length; i++) {
      count *= shape[i]; // both factors below 2^31: no overflow
      if (shape[i] > Integer.MAX_VALUE || count > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException(where + ": shape " + o.get("shape") + " is too large to hold as floats");
      }
      dims[i] = (int) shape[i];
    }
    long bytes = count * (dtype.getAsString().equals("F32") ? 4 : 2);
    if (offsets[1] - offsets[0] != bytes) {
      throw new IllegalArgumentException(where + ": data_offsets " + o.get("data_offsets") + " span " + (offsets[1] - offsets[0])
          + " bytes, but shape " + o.get("shape") + " of " + dtype.getAsString() + " needs " + bytes);
    }
    return new Entry(name, dtype.getAsString(), dims, offsets[0], offsets[1]);
  }

  /** A JSON array of non-negative whole numbers. */
  private static long[] naturals(JsonElement value, String what) {
    if (value == null || !value.isJsonArray()) {
      throw new IllegalArgumentException(what + " must be a list of non-negative integers, got " + value);
    }
    JsonArray array = value.getAsJsonArray();
    long[] out = new long[array.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement x = array.get(i);
      if (!(x instanceof JsonPrimitive p) || !p.isNumber() || !p.getAsString().matches("\\d{1,18}")) {
        throw new IllegalArgumentException(what + " must be a list of non-negative integers, got " + value);
      }
      out[i] = p.getAsLong();
    }
    return out;
  }

  private static float[] values(FileChannel channel, Header header, Entry e, Path file) throws IOException {
    ByteBuffer raw = readFully(channel, header.dataStart + e.begin, (int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
    float[] v = new float[(int) ((e.end - e.begin) / (e.dtype.equals("F32") ? 4 : 2))];
    switch (e.dtype) {
      case "F32" -> raw.asFloatBuffer().get(v);
      case "BF16" -> {
        for (int i = 0; i < v.length; i++) {
          v[i] = Float.intBitsToFloat((raw.getShort() & 0xffff) << 16);
        }
      }
      default -> {
        for (int i = 0; i < v.length; i++) {
          v[i] = halfToFloat(raw.getShort() & 0xffff);
        }
      }
    }
    return v;
  }

  /** An IEEE half-precision value, exactly (Java 17 has no {@code Float.float16ToFloat}). */
  static float halfToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int mantissa = bits & 0x3ff;
    if (exponent == 0) { // zero or subnormal: mantissa * 2^-24
      return Math.copySign(mantissa * 0x1p-24f, sign == 0 ? 1f : -1f);
    }
    if (exponent == 31) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  private static ByteBuffer readFully(FileChannel channel, long position, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new IOException("unexpected end of file at byte " + (position + buffer.position()));
      }
    }
    return buffer.flip();
  }
}
