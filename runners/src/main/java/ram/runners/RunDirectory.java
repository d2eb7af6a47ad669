package ram.runners;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import ram.model.Checkpoint;
import ram.transforms.FaultInjection;

/**
 * The layout of one run on disk and its publication protocol: an epoch's pipeline writes into
 * {@code epochs/NNNNNN.partial}; only after the pipeline succeeds is it renamed to
 * {@code epochs/NNNNNN} and {@code latest} rewritten (temporary file, then rename). Readers and
 * resumption trust only published epochs, so a crash never leaves an epoch that looks complete.
 */
public final class RunDirectory {

  private final Path root;

  public RunDirectory(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  public Path configFile() {
    return root.resolve("config.yaml");
  }

  public Path epochDir(int epoch) {
    return root.resolve("epochs").resolve(String.format("%06d", epoch));
  }

  public Path partialEpochDir(int epoch) {
    return root.resolve("epochs").resolve(String.format("%06d.partial", epoch));
  }

  public Path checkpoint(int epoch) {
    return epochDir(epoch).resolve("checkpoint");
  }

  public Path latestFile() {
    return root.resolve("latest");
  }

  /** Creates the run directory, failing clearly if it cannot be written. */
  public void create() {
    try {
      Files.createDirectories(root.resolve("epochs"));
    } catch (IOException e) {
      throw new ConfigException(root + ": cannot create the run directory (" + e + ")");
    }
    if (!Files.isWritable(root)) {
      throw new ConfigException(root + ": the run directory is not writable");
    }
  }

  /**
   * The newest published epoch (0 if none). An epoch directory that was renamed into place but
   * whose {@code latest} update was lost is adopted when its checkpoint verifies.
   */
  public int latestEpoch() {
    int latest = 0;
    if (Files.exists(latestFile())) {
      String text = read(latestFile()).strip();
      try {
        latest = Integer.parseInt(text.replaceFirst("^epochs/", ""));
      } catch (NumberFormatException e) {
        throw new ConfigException(latestFile() + ": expected an epoch number like 000007, got '" + text + "'");
      }
    }
    while (isComplete(latest + 1)) {
      latest++;
      writeAtomically(latestFile(), String.format("%06d%n", latest));
    }
    return latest;
  }

  /** True if the epoch's directory is published and its checkpoint verifies. */
  public boolean isComplete(int epoch) {
    Path ckpt = checkpoint(epoch);
    if (!Files.isDirectory(ckpt)) {
      return false;
    }
    Checkpoint.decodeTraining(Checkpoint.readDirectory(ckpt), ckpt.toString());
    return true;
  }

  /**
   * Removes what a killed process can leave: unpublished epochs ({@code epochs/*.partial}) and
   * temporary files ({@code *.tmp-*}, {@code *.tmp}) anywhere in the run. Published epochs and
   * renamed files are untouched. Called when a run (re)starts, before anything is written.
   */
  public void removeCrashDebris() {
    if (!Files.isDirectory(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        String name = p.getFileName().toString();
        boolean partialEpoch = p.getParent().equals(root.resolve("epochs")) && name.endsWith(".partial");
        if (partialEpoch) {
          deleteTree(p);
        } else if (Files.isRegularFile(p) && (name.contains(".tmp-") || name.endsWith(".tmp"))) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + root + ": " + e.getMessage(), e);
    }
  }

  /** Removes what an interrupted epoch left behind. */
  public void discardPartial(int epoch) {
    deleteTree(partialEpochDir(epoch));
  }

  /** Publishes a finished epoch: drops its scratch files, one directory rename, then the {@code latest} pointer. */
  public void publish(int epoch) {
    deleteTree(partialEpochDir(epoch).resolve(ram.pipelines.TrainEpochPipeline.SCRATCH));
    try {
      Files.move(partialEpochDir(epoch), epochDir(epoch), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish epoch " + epoch + " in " + root + ": " + e, e);
    }
    FaultInjection.reach("publish", epoch);
    writeAtomically(latestFile(), String.format("%06d%n", epoch), () -> FaultInjection.reach("latest", epoch));
  }

  public static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": " + e.getMessage(), e);
    }
  }

  /** Writes a small file: temporary sibling, then an atomic rename. */
  public static void writeAtomically(Path file, String text) {
    writeAtomically(file, text, () -> {});
  }

  private static void writeAtomically(Path file, String text, Runnable beforeRename) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      beforeRename.run();
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Puts a finished directory in place of {@code target}, replacing what was there: the old one
   * is renamed aside, the new one renamed in, then the old one deleted. Readers never see a
   * half-written {@code target}; a crash leaves at most a {@code .old-} sibling, which
   * {@link #discardDebris} removes.
   */
  static void replaceDirectory(Path finished, Path target) {
    try {
      Path old = target.resolveSibling(target.getFileName() + ".old-" + ProcessHandle.current().pid());
      boolean existed = Files.exists(target);
      if (existed) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE);
      if (existed) {
        deleteTree(old);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot publish " + target + ": " + e.getMessage(), e);
    }
  }

  /** Removes {@code <target>.partial} and {@code <target>.old-*} left by an interrupted command. */
  static void discardDebris(Path target) {
    deleteTree(target.resolveSibling(target.getFileName() + ".partial"));
    Path parent = target.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return;
    }
    try (Stream<Path> s = Files.list(parent)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(target.getFileName() + ".old-")).toList()) {
        deleteTree(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + parent + ": " + e.getMessage(), e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
