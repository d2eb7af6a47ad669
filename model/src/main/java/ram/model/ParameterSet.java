package ram.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Named float tensors held on the Java heap: the parameters of a network, their gradients, or an
 * optimizer's moments. It is the engine-independent currency of the project: checkpoints, the
 * optimizer and the pipeline stages exchange it, and a network turns it into engine arrays only
 * for the duration of a batch. Iteration order is the insertion order, so byte encodings and
 * sums are deterministic.
 */
public final class ParameterSet {

  private static final int MAGIC = 0x52414d50; // "RAMP"
  private final LinkedHashMap<String, float[]> values = new LinkedHashMap<>();
  private final LinkedHashMap<String, int[]> shapes = new LinkedHashMap<>();

  /** Adds a tensor; names must be unique. */
  public ParameterSet put(String name, int[] shape, float[] data) {
    if (values.containsKey(name)) {
      throw new IllegalArgumentException("duplicate parameter " + name);
    }
    if (Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b) != data.length) {
      throw new IllegalArgumentException("parameter " + name + ": shape " + Arrays.toString(shape)
          + " does not match " + data.length + " values");
    }
    values.put(name, data);
    shapes.put(name, shape.clone());
    return this;
  }

  public List<String> names() {
    return Collections.unmodifiableList(new ArrayList<>(values.keySet()));
  }

  public float[] get(String name) {
    float[] v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no parameter " + name + "; have " + values.keySet());
    }
    return v;
  }

  public int[] shape(String name) {
    return shapes.get(name).clone();
  }

  /** Total number of scalars. */
  public long size() {
    long n = 0;
    for (float[] v : values.values()) {
      n += v.length;
    }
    return n;
  }

  /** A deep copy. */
  public ParameterSet copy() {
    ParameterSet c = new ParameterSet();
    values.forEach((k, v) -> c.put(k, shapes.get(k), v.clone()));
    return c;
  }

  /** Same names and shapes, all zeros. */
  public ParameterSet zerosLike() {
    ParameterSet c = new ParameterSet();
    values.forEach((k, v) -> c.put(k, shapes.get(k), new float[v.length]));
    return c;
  }

  /**
   * These values in {@code layout}'s names and shapes: each of this set's tensors is copied to the
   * same name, which must exist there with the same shape; names this set lacks keep the layout's
   * values (pass a fresh initialization: networks initialise what they add so that it starts at no effect).
   */
  public ParameterSet grownInto(ParameterSet layout) {
    for (String name : values.keySet()) {
      if (!layout.shapes.containsKey(name) || !Arrays.equals(layout.shapes.get(name), shapes.get(name))) {
        throw new IllegalArgumentException("no parameter " + name + " of shape " + Arrays.toString(shapes.get(name)));
      }
    }
    ParameterSet c = new ParameterSet();
    layout.values.forEach((k, v) -> c.put(k, layout.shapes.get(k), (values.containsKey(k) ? values.get(k) : v).clone()));
    return c;
  }

  /** A copy holding only the parameters whose names start with one of {@code prefixes}. */
  public ParameterSet restrictedTo(List<String> prefixes) {
    ParameterSet c = new ParameterSet();
    values.forEach((k, v) -> {
      if (prefixes.stream().anyMatch(k::startsWith)) {
        c.put(k, shapes.get(k), v.clone());
      }
    });
    return c;
  }

  /** Adds {@code other} into this, element by element (same names and shapes required). */
  public void addInPlace(ParameterSet other) {
    requireSameLayout(other);
    values.forEach((k, v) -> {
      float[] o = other.values.get(k);
      for (int i = 0; i < v.length; i++) {
        v[i] += o[i];
      }
    });
  }

  /** Multiplies every value by {@code factor}. */
  public void scaleInPlace(float factor) {
    for (float[] v : values.values()) {
      for (int i = 0; i < v.length; i++) {
        v[i] *= factor;
      }
    }
  }

  /** The L2 norm of all values together, accumulated in double precision. */
  public double norm() {
    double sum = 0;
    for (float[] v : values.values()) {
      for (float x : v) {
        sum += (double) x * x;
      }
    }
    return Math.sqrt(sum);
  }

  /** Scales the values so that their {@link #norm} is at most {@code maxNorm}; returns the norm before. */
  public double clipNorm(double maxNorm) {
    double norm = norm();
    if (norm > maxNorm) {
      scaleInPlace((float) (maxNorm / norm));
    }
    return norm;
  }

  /** Throws unless {@code other} has exactly the same names and shapes as this, the expected layout, naming what differs. */
  public void requireSameLayout(ParameterSet other) {
    if (!values.keySet().equals(other.values.keySet())) {
      Set<String> onlyHere = new TreeSet<>(values.keySet());
      onlyHere.removeAll(other.values.keySet());
      Set<String> onlyThere = new TreeSet<>(other.values.keySet());
      onlyThere.removeAll(values.keySet());
      throw new IllegalArgumentException("parameter names differ: missing " + onlyHere + ", unexpected " + onlyThere);
    }
    shapes.forEach((k, s) -> {
      if (!Arrays.equals(s, other.shapes.get(k))) {
        throw new IllegalArgumentException("parameter " + k + " shape " + Arrays.toString(s) + " vs "
            + Arrays.toString(other.shapes.get(k)));
      }
    });
  }

  /** True if every value is finite. */
  public boolean allFinite() {
    return nonFiniteNames().isEmpty();
  }

  /** The names of the tensors that hold a non-finite value, in order. */
  public List<String> nonFiniteNames() {
    List<String> names = new ArrayList<>();
    values.forEach((name, v) -> {
      for (float x : v) {
        if (!Float.isFinite(x)) {
          names.add(name);
          return;
        }
      }
    });
    return names;
  }

  /** Engine arrays of every tensor, in order, attached to {@code manager}; counted as trained values ({@link ParameterTraffic}). */
  public NDList toNDList(NDManager manager) {
    return toNDList(manager, ParameterTraffic.Kind.UPLOAD);
  }

  /** {@link #toNDList(NDManager)}, counted as {@code kind} ({@link ParameterTraffic.Kind#FROZEN_UPLOAD} for weights that never train). */
  public NDList toNDList(NDManager manager, ParameterTraffic.Kind kind) {
    ParameterTraffic.record(kind, size());
    NDList list = new NDList();
    values.forEach((k, v) -> {
      NDArray a = manager.create(v, new Shape(Arrays.stream(shapes.get(k)).asLongStream().toArray()));
      a.setName(k);
      list.add(a);
    });
    return list;
  }

  /** Reads arrays with the names and shapes of {@code layout} back onto the heap (counted as a {@link ParameterTraffic.Kind#DOWNLOAD}). */
  public static ParameterSet fromNDList(ParameterSet layout, NDList arrays) {
    ParameterTraffic.record(ParameterTraffic.Kind.DOWNLOAD, layout.size());
    ParameterSet p = new ParameterSet();
    int i = 0;
    for (String name : layout.values.keySet()) {
      p.put(name, layout.shapes.get(name), arrays.get(i++).toFloatArray());
    }
    return p;
  }

  /** A compact, deterministic binary encoding (names, shapes, big-endian floats). */
  public byte[] toBytes() {
    long floats = values.values().stream().mapToLong(v -> v.length).sum();
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, 4 * floats + 64L * values.size() + 8));
        DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(values.size());
      for (Map.Entry<String, float[]> e : values.entrySet()) {
        out.writeUTF(e.getKey());
        int[] shape = shapes.get(e.getKey());
        out.writeInt(shape.length);
        for (int d : shape) {
          out.writeInt(d);
        }
        out.write(floatBytes(e.getValue()));
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The values as big-endian IEEE floats, in bulk. */
  private static byte[] floatBytes(float[] v) {
    ByteBuffer buffer = ByteBuffer.allocate(Math.multiplyExact(v.length, 4));
    buffer.asFloatBuffer().put(v);
    return buffer.array();
  }

  /** Decodes {@link #toBytes()}; a truncated or foreign input is an {@link IllegalArgumentException}. */
  public static ParameterSet fromBytes(byte[] data) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not a ram parameter file (bad magic number)");
      }
      int count = in.readInt();
      ParameterSet p = new ParameterSet();
      for (int i = 0; i < count; i++) {
        String name = in.readUTF();
        int[] shape = new int[in.readInt()];
        int n = 1;
        for (int d = 0; d < shape.length; d++) {
          shape[d] = in.readInt();
          n *= shape[d];
        }
        byte[] raw = new byte[Math.multiplyExact(n, 4)];
        in.readFully(raw);
        float[] v = new float[n];
        ByteBuffer.wrap(raw).asFloatBuffer().get(v); // big-endian, as DataOutputStream wrote before bulk encoding
        p.put(name, shape, v);
      }
      if (in.available() != 0) {
        throw new IllegalArgumentException("trailing bytes after " + count + " parameters");
      }
      return p;
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated parameter file: " + e, e);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ParameterSet other) || !values.keySet().equals(other.values.keySet())) {
      return false;
    }
    for (String k : values.keySet()) {
      if (!Arrays.equals(shapes.get(k), other.shapes.get(k)) || !Arrays.equals(values.get(k), other.values.get(k))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }
}
