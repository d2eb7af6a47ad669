package ram.runners.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import ram.model.Checkpoint;
import ram.model.DurableFiles;
import ram.runners.store.PublishJournal;
import ram.runners.store.StagedOutput;
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

  /** A run's newest usable epoch, and what was wrong with anything newer. */
  public record Latest(int epoch, List<String> notes, List<Integer> corrupt) {}

  /**
   * The newest published epoch whose checkpoint verifies (0 if none). The {@code latest} file is
   * only a pointer for people and tools: an epoch renamed into place whose {@code latest} update
   * was lost is found, and an empty or corrupt {@code latest} or a corrupt newest epoch does not
   * stop a resume. Reads only; see {@link #repairLatest}.
   */
  public Latest resolveLatest() {
    List<String> notes = new ArrayList<>();
    List<Integer> corrupt = new ArrayList<>();
    if (Files.exists(latestFile())) {
      String text = read(latestFile()).strip();
      if (!text.replaceFirst("^epochs/", "").matches("\\d{1,9}")) {
        notes.add(latestFile() + " is empty or corrupt ('" + abbreviate(text) + "'); using the newest epoch that verifies");
      }
    }
    List<Integer> published = publishedEpochs();
    for (int i = published.size() - 1; i >= 0; i--) {
      int epoch = published.get(i);
      try {
        Checkpoint.decodeTraining(Checkpoint.readDirectory(checkpoint(epoch)), checkpoint(epoch).toString());
        return new Latest(epoch, notes, corrupt);
      } catch (IllegalArgumentException | UncheckedIOException e) {
        corrupt.add(epoch);
        notes.add("epoch " + epoch + " does not verify (" + e.getMessage() + "); falling back to the epoch before it");
      }
    }
    return new Latest(0, notes, corrupt);
  }

  /**
   * The newest published epoch (0 if none), from the directory listing alone: cheap, for the run's
   * writer after {@link #repairLatest} and for readers, whose load of the checkpoint verifies it.
   */
  public int latestEpoch() {
    List<Integer> published = publishedEpochs();
    return published.isEmpty() ? 0 : published.get(published.size() - 1);
  }

  /**
   * For the run's one writer: sets corrupt newest epochs aside as {@code epochs/NNNNNN.corrupt-<time>}
   * (kept, never deleted, so they can be inspected), points {@code latest} at the newest epoch that
   * verifies, and says so on {@code out}. Returns that epoch.
   */
  public int repairLatest(java.io.PrintStream out) {
    Latest latest = resolveLatest();
    latest.notes().forEach(n -> out.println("resume: " + n));
    String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    for (int epoch : latest.corrupt()) {
      Path aside = epochDir(epoch).resolveSibling(epochDir(epoch).getFileName() + ".corrupt-" + stamp);
      DurableFiles.rename(epochDir(epoch), aside);
      out.println("resume: kept the corrupt epoch " + epoch + " as " + aside + "; it will be run again");
    }
    String pointer = String.format("%06d%n", latest.epoch());
    if (latest.epoch() > 0 && (!Files.exists(latestFile()) || !read(latestFile()).equals(pointer))) {
      writeAtomically(latestFile(), pointer);
    }
    return latest.epoch();
  }

  /** Published epoch numbers ({@code epochs/NNNNNN} directories), ascending. */
  List<Integer> publishedEpochs() {
    Path epochs = root.resolve("epochs");
    if (!Files.isDirectory(epochs)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(epochs)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("\\d{6}")).map(Integer::parseInt).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + epochs + ": " + e.getMessage(), e);
    }
  }

  private static String abbreviate(String text) {
    String oneLine = text.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() > 40 ? oneLine.substring(0, 40) + "..." : oneLine;
  }

  /**
   * Removes what a killed ram process can leave in a directory ram owns, and only names ram
   * creates: unpublished epochs ({@code epochs/NNNNNN.partial}), staging and set-aside copies of a
   * publication ({@code .ram-staging}, {@code .ram-old}, {@code rewards-NAME.staging} and
   * {@code .old}) and temporary files ({@code NAME.tmp-<pid or hex>}); a committed publication is
   * first rolled forward ({@link PublishJournal}). Published epochs, set-aside corrupt epochs and
   * every other name are untouched. The caller holds the directory's {@link WriterLock}.
   */
  public void removeCrashDebris() {
    removeDebris(root);
  }

  /** {@link #removeCrashDebris} for any directory ram owns (a run, an evaluation, an export, a pretraining). */
  public static void removeDebris(Path owned) {
    PublishJournal.recover(owned);
    try (Stream<Path> files = Files.walk(owned)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        if (p.equals(owned) || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        String name = p.getFileName().toString();
        boolean directory = Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        boolean partialEpoch = directory && p.getParent().equals(owned.resolve("epochs")) && name.matches("\\d{6}\\.partial");
        boolean staging = directory && (name.equals(StagedOutput.STAGING) || name.equals(StagedOutput.ASIDE)
            || name.matches("rewards-[A-Za-z0-9_]+\\.(staging|old)"));
        if (partialEpoch || staging) {
          deleteTree(p);
        } else if (!directory && isTemporary(name)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean up " + owned + ": " + e.getMessage(), e);
    }
  }

  /** Whether a name is one of ram's temporary names: {@code NAME.tmp-} followed by a PID or a hex stamp. */
  static boolean isTemporary(String name) {
    return name.matches(".+\\.tmp-[0-9a-f]+");
  }

  /** Removes what an interrupted epoch left behind. */
  public void discardPartial(int epoch) {
    deleteTree(partialEpochDir(epoch));
  }

  /**
   * Publishes a finished epoch: drops its scratch files, forces every file to the disk, one
   * directory rename (then the {@code epochs} directory forced), then the {@code latest} pointer.
   */
  public void publish(int epoch) {
    deleteTree(partialEpochDir(epoch).resolve(ram.pipelines.TrainEpochPipeline.SCRATCH));
    DurableFiles.syncTree(partialEpochDir(epoch));
    DurableFiles.rename(partialEpochDir(epoch), epochDir(epoch));
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
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    DurableFiles.sync(tmp);
    beforeRename.run();
    DurableFiles.rename(tmp, file);
  }

  public static void deleteTree(Path dir) {
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
