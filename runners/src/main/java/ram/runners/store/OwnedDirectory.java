package ram.runners.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ram.config.ConfigException;
import ram.model.DurableFiles;

/**
 * A directory that ram wrote and may therefore change: it holds a small marker file,
 * {@code .ram-owner}, naming what kind of output it is. Every command that writes a directory
 * claims it first; a target that exists, is not empty and carries no marker (or a marker of
 * another kind) is refused by name, so ram never deletes or replaces a user's files. A directory
 * written by an older ram without a marker is adopted only when every name in it is one that
 * kind of output writes and its defining file is there.
 */
public final class OwnedDirectory {

  /** The marker's file name. */
  public static final String MARKER = ".ram-owner";

  /** What kind of output an owned directory is; each knows the top-level names it writes. */
  public enum Kind {
    RUN("a training run", Set.of("config.yaml", "epochs"), Set.of("config.yaml", "epochs", "latest", "driver", "metrics.jsonl", "metrics.csv", "report.html",
        "gradient_coherence.csv", "logs")),
    EVALUATION("an evaluation", Set.of("results.json"), null),
    EXPORT("an export", Set.of("export.json"), null),
    PRETRAINING("a pretraining directory", Set.of("settings.json"), null),
    FLINK_CLUSTER("a local Flink cluster's directory", Set.of("conf"), Set.of("conf", "log", "run")),
    RESCORE("rescored rewards", null, null);

    final String description;
    /** The names whose presence identifies an unmarked directory of this kind written by an older ram (null: never adopted). */
    final Set<String> defining;
    /** The top-level names such a directory may hold (null: any, once the defining file is there). */
    final Set<String> names;

    Kind(String description, Set<String> defining, Set<String> names) {
      this.description = description;
      this.defining = defining;
      this.names = names;
    }

    String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private OwnedDirectory() {}

  /**
   * Makes {@code dir} a directory of {@code kind} that ram owns: creates it if absent, marks it if
   * empty or already marked as this kind, adopts it if an older ram wrote it; otherwise refuses
   * with a message naming the path, what was found in it, and the option that chose it.
   */
  public static Path claim(Path dir, Kind kind, String option) {
    Path d = dir.toAbsolutePath().normalize();
    if (requireClaimable(d, kind, option)) {
      return d;
    }
    try {
      Files.createDirectories(d);
    } catch (IOException e) {
      throw new ConfigException(option + " " + d + ": cannot create the directory (" + e.getMessage() + ")");
    }
    if (!Files.isWritable(d)) {
      throw new ConfigException(option + " " + d + ": the directory is not writable");
    }
    JsonObject marker = new JsonObject();
    marker.addProperty("kind", kind.id());
    marker.addProperty("created", Instant.now().toString());
    DurableFiles.write(d.resolve(MARKER), (marker + "\n").getBytes(StandardCharsets.UTF_8));
    return d;
  }

  /**
   * Checks, writing nothing, that {@link #claim} would accept {@code dir}; refuses as it would.
   * Returns true if the directory is already marked as this kind.
   */
  public static boolean requireClaimable(Path dir, Kind kind, String option) {
    Path d = dir.toAbsolutePath().normalize();
    if (Files.exists(d) && !Files.isDirectory(d)) {
      throw new ConfigException(option + " " + d + ": exists and is not a directory; ram writes " + kind.description + " there");
    }
    Optional<String> marked = markedKind(d);
    if (marked.isPresent()) {
      if (!marked.get().equals(kind.id())) {
        throw new ConfigException(option + " " + d + ": this directory holds " + describe(marked.get()) + ", not "
            + kind.description + "; choose another directory");
      }
      return true;
    }
    List<String> entries = entries(d);
    if (!entries.isEmpty() && !isLegacy(d, kind, entries)) {
      throw new ConfigException(option + " " + d + ": not empty and not written by ram (found " + preview(entries)
          + "); ram only writes into a new or empty directory, or one it wrote; choose another directory");
    }
    return false;
  }

  /** Whether {@code dir} carries the marker of {@code kind}. */
  public static boolean isOwned(Path dir, Kind kind) {
    return markedKind(dir).map(k -> k.equals(kind.id())).orElse(false);
  }

  /** The nearest directory at or above {@code path} that ram owns as one of {@code kinds}, if any. */
  public static Optional<Path> ownerOf(Path path, Set<Kind> kinds) {
    for (Path d = path.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
      for (Kind k : kinds) {
        if (isOwned(d, k)) {
          return Optional.of(d);
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> markedKind(Path dir) {
    Path marker = dir.resolve(MARKER);
    if (!Files.isRegularFile(marker)) {
      return Optional.empty();
    }
    try {
      JsonObject o = JsonParser.parseString(Files.readString(marker, StandardCharsets.UTF_8)).getAsJsonObject();
      return Optional.of(o.get("kind").getAsString());
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(marker + ": unreadable ownership marker (" + e.getMessage() + "); expected {\"kind\": ...} as ram writes it");
    }
  }

  private static boolean isLegacy(Path dir, Kind kind, List<String> entries) {
    if (kind.defining == null || !entries.containsAll(kind.defining)) {
      return false;
    }
    Predicate<String> known = kind.names == null ? n -> true : n -> kind.names.contains(n) || n.startsWith(".ram-");
    return entries.stream().allMatch(known);
  }

  private static String describe(String id) {
    for (Kind k : Kind.values()) {
      if (k.id().equals(id)) {
        return k.description;
      }
    }
    return "'" + id + "'";
  }

  private static List<String> entries(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  private static String preview(List<String> entries) {
    List<String> shown = entries.subList(0, Math.min(3, entries.size()));
    return String.join(", ", shown) + (entries.size() > shown.size() ? " and " + (entries.size() - shown.size()) + " more" : "");
  }
}
