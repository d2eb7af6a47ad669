package ram.model;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * Counts the parameter values this process moves between the Java heap and the engine, per
 * {@linkplain Kind kind} and per stage of the epoch, so that {@code ram bench update} can say what
 * an optimizer step moves (docs/scaling.md scales it up). The stage is a label of the calling
 * thread: the pipeline stages set it around their work ({@link #during}); what runs outside any
 * is counted under {@value #NO_STAGE}. The counts are of this JVM only: on a cluster each
 * TaskManager counts its own. Counting is two atomic adds per call, far below the copy it counts.
 */
public final class ParameterTraffic {

  /** The stage of work done outside any {@link #during}. */
  public static final String NO_STAGE = "other";

  /** What a counted call moved. */
  public enum Kind {
    /**
     * Trained values from the heap into engine arrays ({@link ParameterSet#toNDList}): on a GPU a
     * host-to-device copy, on the CPU a copy into libtorch's own memory.
     */
    UPLOAD,
    /** The same, of weights training never changes: a LoRA network's frozen base, once per forward pass. */
    FROZEN_UPLOAD,
    /**
     * Trained values copied from their engine arrays into a TorchScript module's own parameters, in
     * place, once per forward pass whose values differ from the module's; the copy goes through a
     * host buffer (DJL's {@code NDArray.set(Buffer)}), so on a GPU it is a device-to-host and a
     * host-to-device copy.
     */
    BIND,
    /** Engine to heap: the gradient of the trained values, read back after a backward pass. */
    DOWNLOAD
  }

  /** Calls and the bytes they moved. */
  public record Count(long calls, long bytes) {

    /** Nothing moved. */
    public static final Count NONE = new Count(0, 0);

    /** This count less an earlier one of the same counter. */
    public Count minus(Count earlier) {
      return new Count(calls - earlier.calls, bytes - earlier.bytes);
    }
  }

  /** A counter: a stage and a kind. */
  public record Key(String stage, Kind kind) implements Comparable<Key> {
    @Override
    public int compareTo(Key o) {
      int c = stage.compareTo(o.stage);
      return c != 0 ? c : kind.compareTo(o.kind);
    }
  }

  private static final ThreadLocal<String> STAGE = ThreadLocal.withInitial(() -> NO_STAGE);
  /** Per key: calls, bytes. */
  private static final ConcurrentHashMap<Key, AtomicLongArray> COUNTS = new ConcurrentHashMap<>();

  private ParameterTraffic() {}

  /** Runs {@code work} with the calling thread labelled {@code stage}; the label before is restored after. */
  public static <T> T during(String stage, Supplier<T> work) {
    String before = STAGE.get();
    STAGE.set(stage);
    try {
      return work.get();
    } finally {
      STAGE.set(before);
    }
  }

  /** {@link #during(String, Supplier)} for work without a result. */
  public static void during(String stage, Runnable work) {
    during(stage, () -> {
      work.run();
      return null;
    });
  }

  /** The calling thread's stage label. */
  public static String stage() {
    return STAGE.get();
  }

  /** Counts one call that moved {@code floats} float values of kind {@code kind}, under the calling thread's stage. */
  public static void record(Kind kind, long floats) {
    AtomicLongArray c = COUNTS.computeIfAbsent(new Key(STAGE.get(), kind), k -> new AtomicLongArray(2));
    c.incrementAndGet(0);
    c.addAndGet(1, 4 * floats);
  }

  /** Every counter so far, by key (a later snapshot less an earlier one is what happened in between). */
  public static Map<Key, Count> snapshot() {
    Map<Key, Count> out = new TreeMap<>();
    COUNTS.forEach((k, c) -> out.put(k, new Count(c.get(0), c.get(1))));
    return out;
  }

  /** The count of one stage and kind in {@code after} less that in {@code before}. */
  public static Count between(Map<Key, Count> before, Map<Key, Count> after, String stage, Kind kind) {
    Key key = new Key(stage, kind);
    return after.getOrDefault(key, Count.NONE).minus(before.getOrDefault(key, Count.NONE));
  }
}
