package ram.transforms;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.MoveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.util.MimeTypes;

import ram.model.ParameterTraffic;

/**
 * Small-file I/O on the run store through Beam's {@link FileSystems}, so that a run directory can
 * be a local path or any URI a registered filesystem serves (HDFS on a cluster). Writes go to a
 * temporary name and are renamed when complete. Every read and write can be observed ({@link #observe}).
 */
public final class StoreFiles {

  /**
   * One read or write of a whole file, as {@link #observe} reports it.
   *
   * @param write true for a write, false for a read
   * @param bytes the file's bytes
   * @param stage the stage label of the thread that did it ({@link ParameterTraffic#stage})
   * @param nanoTime {@link System#nanoTime} when it ended
   */
  public record Transfer(boolean write, String uri, long bytes, String stage, long nanoTime) {}

  /** An observer's registration; closing it ends the reports. */
  public interface Observation extends AutoCloseable {
    @Override
    void close();
  }

  private static final List<Consumer<Transfer>> OBSERVERS = new CopyOnWriteArrayList<>();

  private StoreFiles() {}

  /**
   * Reports every later read and write of this JVM to {@code observer} (which must be thread-safe)
   * until the returned registration is closed: how {@code ram bench update} counts the bytes an
   * optimizer step writes and reads. Without observers a transfer costs one check of an empty list.
   */
  public static Observation observe(Consumer<Transfer> observer) {
    OBSERVERS.add(observer);
    return () -> OBSERVERS.remove(observer);
  }

  private static void report(boolean write, String uri, long bytes) {
    if (!OBSERVERS.isEmpty()) {
      Transfer t = new Transfer(write, uri, bytes, ParameterTraffic.stage(), System.nanoTime());
      OBSERVERS.forEach(o -> o.accept(t));
    }
  }

  /** Joins a directory URI and a relative path. */
  public static String join(String dir, String child) {
    return dir.endsWith("/") ? dir + child : dir + "/" + child;
  }

  public static byte[] read(String uri) {
    try (InputStream in = Channels.newInputStream(FileSystems.open(FileSystems.matchNewResource(uri, false)))) {
      byte[] bytes = in.readAllBytes();
      report(false, uri, bytes.length);
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Writes bytes to a temporary sibling, then renames it onto {@code uri}. */
  public static void writeAtomically(String uri, byte[] bytes) {
    ResourceId target = FileSystems.matchNewResource(uri, false);
    ResourceId tmp = FileSystems.matchNewResource(uri + ".tmp-" + Long.toHexString(System.nanoTime()), false);
    try {
      try (OutputStream out = Channels.newOutputStream(FileSystems.create(tmp, MimeTypes.BINARY))) {
        out.write(bytes);
      }
      FileSystems.rename(Collections.singletonList(tmp), Collections.singletonList(target),
          MoveOptions.StandardMoveOptions.IGNORE_MISSING_FILES);
      report(true, uri, bytes.length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + uri + ": " + e.getMessage(), e);
    }
  }

  public static boolean exists(String uri) {
    try {
      MatchResult m = FileSystems.match(uri, EmptyMatchTreatment.ALLOW);
      return m.status() == MatchResult.Status.OK && !m.metadata().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  /** Files matching a glob (e.g. {@code dir/*}), sorted by URI; empty if none. */
  public static List<String> list(String glob) {
    try {
      MatchResult m = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
      if (m.status() == MatchResult.Status.NOT_FOUND) {
        return List.of();
      }
      List<String> out = new ArrayList<>();
      for (MatchResult.Metadata md : m.metadata()) {
        out.add(md.resourceId().toString());
      }
      Collections.sort(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + glob + ": " + e.getMessage(), e);
    }
  }

  /** The last path segment of a URI. */
  public static String fileName(String uri) {
    String u = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
    return u.substring(u.lastIndexOf('/') + 1);
  }
}
