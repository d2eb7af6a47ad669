package ram.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes that survive a power loss, not only a killed process: a file's bytes are forced to the
 * disk before it is renamed into place, and the directory that holds the new name is forced
 * after the rename (on Linux a rename lives in the directory, which has to be synced itself). The
 * JDK has no call for it, so this is the usual {@code fsync(fd)} through {@link FileChannel#force}
 * on a channel of the file or of the directory.
 */
public final class DurableFiles {

  private DurableFiles() {}

  /** Forces a file's or a directory's contents and metadata to the disk. */
  public static void sync(Path path) {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      if (Files.isDirectory(path)) {
        return; // some file systems cannot open a directory for syncing; the rename itself is still atomic
      }
      throw new UncheckedIOException("cannot sync " + path + ": " + e.getMessage(), e);
    }
  }

  /** Forces every file and directory under {@code root} (root included), deepest first. */
  public static void syncTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      List<Path> all = walk.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) {
        sync(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot sync " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Renames {@code from} onto {@code to} atomically (replacing a file {@code to}) and forces both
   * parent directories afterwards. The caller has synced what it wrote under {@code from}.
   */
  public static void rename(Path from, Path to) {
    try {
      try {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rename " + from + " to " + to + ": " + e.getMessage(), e);
    }
    sync(to.toAbsolutePath().getParent());
    if (!from.toAbsolutePath().getParent().equals(to.toAbsolutePath().getParent())) {
      sync(from.toAbsolutePath().getParent());
    }
  }

  /** Writes a file in full: a temporary sibling named {@code <name>.tmp-<pid>}, synced, then renamed. */
  public static void write(Path file, byte[] bytes) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.write(tmp, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    sync(tmp);
    rename(tmp, file);
  }
}
