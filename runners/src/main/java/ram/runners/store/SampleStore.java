package ram.runners.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import ram.config.ConfigException;

/**
 * The sample store as the store pipelines (rescore, export) see it: a user's path resolved to
 * its <em>units</em>, each a directory holding {@code samples/*.parquet} and, beside it,
 * {@code rewards/} (as scored when sampled), {@code rewards-<name>/} (rescored later) and
 * {@code advantages/}. A run directory's units are its published epochs; an epoch directory,
 * an evaluation directory, a samples directory or one samples file is one unit. Only published
 * names count: {@code .partial}, {@code .tmp-} and {@code .old-} debris is never read.
 */
public final class SampleStore {

  private static final Pattern EPOCH = Pattern.compile("\\d{6}");
  private static final Pattern REWARDS_DIR = Pattern.compile("rewards(-[A-Za-z0-9_]+)?");

  /** One directory of stored samples and what was computed from them. */
  public record Unit(Path dir, int epoch, List<Path> samples, TreeMap<String, List<Path>> rewards, List<Path> advantages) {

    /** The directory that rescoring with {@code reward} writes. */
    public Path rescoreDir(String reward) {
      return dir.resolve("rewards-" + reward);
    }
  }

  private SampleStore() {}

  /** The units under {@code path}, in epoch order; an error naming the path if there are none. */
  public static List<Unit> resolve(Path path) {
    Path p = path.toAbsolutePath().normalize();
    if (!Files.exists(p)) {
      throw new ConfigException(p + ": no such file or directory");
    }
    finishInterruptedPublication(p);
    List<Unit> units = new ArrayList<>();
    if (Files.isRegularFile(p)) {
      if (!p.getFileName().toString().endsWith(".parquet")) {
        throw new ConfigException(p + ": expected a samples .parquet file, a samples directory, an epoch directory or a run directory");
      }
      Path dir = p.getParent().getParent();
      units.add(new Unit(dir, epochOf(dir), List.of(p), rewardsOf(dir), parquetIn(dir.resolve("advantages"))));
    } else if (Files.isDirectory(p.resolve("epochs"))) {
      for (Path epoch : list(p.resolve("epochs"))) {
        if (EPOCH.matcher(epoch.getFileName().toString()).matches() && !parquetIn(epoch.resolve("samples")).isEmpty()) {
          units.add(unit(epoch));
        }
      }
    } else if (p.getFileName().toString().equals("samples") && !parquetIn(p).isEmpty()) {
      units.add(unit(p.getParent()));
    } else if (!parquetIn(p.resolve("samples")).isEmpty()) {
      units.add(unit(p));
    }
    if (units.isEmpty()) {
      throw new ConfigException(p + ": no samples Parquet found (expected a run directory with published "
          + "epochs/NNNNNN/samples/*.parquet, an epoch or evaluation directory with samples/*.parquet, "
          + "a samples directory, or a samples .parquet file)");
    }
    return units;
  }

  /**
   * A store whose last publication was cut short after its commit is rolled forward before it is
   * read (under its writer lock), so readers never see a mix of old and new outputs.
   */
  private static void finishInterruptedPublication(Path p) {
    var owner = OwnedDirectory.ownerOf(p, java.util.Set.of(OwnedDirectory.Kind.values()));
    if (owner.isPresent() && Files.exists(owner.get().resolve(PublishJournal.FILE))) {
      try (WriterLock lock = WriterLock.acquire(owner.get(), "read")) {
        PublishJournal.recover(owner.get());
      }
    }
  }

  private static Unit unit(Path dir) {
    return new Unit(dir, epochOf(dir), parquetIn(dir.resolve("samples")), rewardsOf(dir), parquetIn(dir.resolve("advantages")));
  }

  private static int epochOf(Path dir) {
    String name = dir.getFileName().toString();
    return EPOCH.matcher(name).matches() ? Integer.parseInt(name) : 0;
  }

  /** Reward files by directory name ({@code rewards}, {@code rewards-<name>}). */
  private static TreeMap<String, List<Path>> rewardsOf(Path dir) {
    TreeMap<String, List<Path>> out = new TreeMap<>();
    if (Files.isDirectory(dir)) {
      for (Path d : list(dir)) {
        String name = d.getFileName().toString();
        if (Files.isDirectory(d) && REWARDS_DIR.matcher(name).matches() && !parquetIn(d).isEmpty()) {
          out.put(name, parquetIn(d));
        }
      }
    }
    return out;
  }

  /** The published Parquet files directly in {@code dir}, sorted; none if it does not exist. */
  public static List<Path> parquetIn(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    return list(dir).stream().filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".parquet")
        && !f.getFileName().toString().startsWith(".")).toList();
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Local paths as the URIs that Beam's file systems take. */
  public static List<String> uris(List<Path> files) {
    return files.stream().map(Path::toString).toList();
  }
}
