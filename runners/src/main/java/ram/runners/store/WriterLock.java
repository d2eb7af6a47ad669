package ram.runners.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ram.config.ConfigException;

/**
 * One writer at a time on a directory ram owns: an operating-system lock on {@code .ram-lock}
 * inside it (released by the kernel when the holder dies, so a dead holder's lock is simply taken
 * over) plus a record in that file of who holds it (PID, host, start time, command) for the
 * message that refuses a second writer. Within one JVM, a second acquisition of the same
 * directory is refused the same way.
 */
public final class WriterLock implements AutoCloseable {

  /** The lock file's name. */
  public static final String FILE = ".ram-lock";
  private static final Map<Path, String> HELD_IN_THIS_JVM = new ConcurrentHashMap<>();

  private final Path dir;
  private final FileChannel channel;
  private final FileLock lock;

  private WriterLock(Path dir, FileChannel channel, FileLock lock) {
    this.dir = dir;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the lock of {@code dir} for {@code command} (e.g. "train"), or refuses naming the holder.
   * Returns a lock to close when the command ends.
   */
  public static WriterLock acquire(Path dir, String command) {
    Path d = dir.toAbsolutePath().normalize();
    String previous = HELD_IN_THIS_JVM.putIfAbsent(d, command);
    if (previous != null) {
      throw new ConfigException(d + ": in use by ram " + previous + " (pid " + ProcessHandle.current().pid() + ", this process); "
          + "wait for it to finish");
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(d.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock == null) {
        String holder = holder(channel);
        channel.close();
        throw new ConfigException(d + ": in use by " + holder + "; wait for it to finish, or stop it");
      }
      JsonObject record = new JsonObject();
      record.addProperty("pid", ProcessHandle.current().pid());
      record.addProperty("host", host());
      record.addProperty("started", Instant.now().toString());
      record.addProperty("command", "ram " + command);
      byte[] bytes = (record + "\n").getBytes(StandardCharsets.UTF_8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(bytes), 0);
      channel.force(true);
      return new WriterLock(d, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      HELD_IN_THIS_JVM.remove(d);
      throw new UncheckedIOException("cannot lock " + d.resolve(FILE) + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      HELD_IN_THIS_JVM.remove(d);
      throw e;
    }
  }

  /** Whether this JVM holds the lock of {@code dir}. */
  public static boolean heldInThisJvm(Path dir) {
    return HELD_IN_THIS_JVM.containsKey(dir.toAbsolutePath().normalize());
  }

  /** The directory this lock guards. */
  public Path dir() {
    return dir;
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot release " + dir.resolve(FILE) + ": " + e.getMessage(), e);
    } finally {
      HELD_IN_THIS_JVM.remove(dir);
    }
  }

  /** "ram train (pid 123 on host, since ...)" from the lock file's record, or a plain description if unreadable. */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(4096, channel.size()));
      channel.read(buffer, 0);
      JsonObject r = JsonParser.parseString(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8)).getAsJsonObject();
      return r.get("command").getAsString() + " (pid " + r.get("pid").getAsLong() + " on " + r.get("host").getAsString() + ", since "
          + r.get("started").getAsString() + ")";
    } catch (IOException | RuntimeException e) {
      return "another ram process (its lock record is not readable yet)";
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown host";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the channel is being abandoned after another failure, which is the one reported
      }
    }
  }
}
