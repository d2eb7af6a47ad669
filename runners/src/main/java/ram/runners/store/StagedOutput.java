package ram.runners.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import ram.runners.train.RunDirectory;
import ram.transforms.FaultInjection;

/**
 * An output directory that a command replaces as a whole ({@code evaluate --out}, {@code export
 * --to}): claimed as ram's ({@link OwnedDirectory}), locked for one writer ({@link WriterLock}),
 * cleared of what a crashed earlier run left, and written under {@code .ram-staging/} inside it.
 * {@link #publish} then swaps the staged contents for the old ones through a {@link PublishJournal},
 * so the directory holds the old results or the new, never a mix, and nothing beside it is touched.
 */
public final class StagedOutput implements AutoCloseable {

  public static final String STAGING = ".ram-staging";
  public static final String ASIDE = ".ram-old";

  private final Path dir;
  private final WriterLock lock;
  private final String command;

  private StagedOutput(Path dir, WriterLock lock, String command) {
    this.dir = dir;
    this.lock = lock;
    this.command = command;
  }

  /** Claims and locks {@code dir} for {@code command}; {@code option} names the flag that chose it in errors. */
  public static StagedOutput open(Path dir, OwnedDirectory.Kind kind, String command, String option) {
    Path d = OwnedDirectory.claim(dir, kind, option);
    WriterLock lock = WriterLock.acquire(d, command);
    try {
      RunDirectory.removeDebris(d);
      Files.createDirectories(d.resolve(STAGING));
    } catch (IOException e) {
      lock.close();
      throw new UncheckedIOException("cannot prepare " + d + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
    return new StagedOutput(d, lock, command);
  }

  /** The published directory. */
  Path dir() {
    return dir;
  }

  /** Where the new contents are written before {@link #publish}. */
  public Path staging() {
    return dir.resolve(STAGING);
  }

  /** Replaces the directory's contents with the staged ones, as a whole. */
  public void publish() {
    Set<String> staged = names(staging());
    List<PublishJournal.Move> moves = new ArrayList<>();
    for (String name : staged) {
      moves.add(new PublishJournal.Move(staging().resolve(name), dir.resolve(name), dir.resolve(ASIDE).resolve(name)));
    }
    for (String name : names(dir)) {
      if (!staged.contains(name)) {
        moves.add(new PublishJournal.Move(null, dir.resolve(name), dir.resolve(ASIDE).resolve(name)));
      }
    }
    FaultInjection.reach(command + "-commit", 0);
    PublishJournal.publish(dir, moves, step -> FaultInjection.reach(command + "-publish", step));
    RunDirectory.deleteTree(staging());
    RunDirectory.deleteTree(dir.resolve(ASIDE));
  }

  /** Drops unpublished staging; the lock is released. */
  @Override
  public void close() {
    try {
      RunDirectory.deleteTree(staging());
    } finally {
      lock.close();
    }
  }

  /** The published names in {@code dir}: everything but ram's own bookkeeping ({@code .ram-*}). */
  private static Set<String> names(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".ram-")).collect(TreeSet::new, Set::add, Set::addAll);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }
}
