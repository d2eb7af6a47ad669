package ram.runners.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import ram.config.ConfigException;
import ram.config.RunConfig;
import ram.runners.store.OwnedDirectory;
import ram.runners.store.WriterLock;

/**
 * The runs under a directory ({@code ./ram runs}): for each run ram wrote, its config, epochs
 * done of those configured, the latest training reward and held-out evaluation, and whether it is
 * running, finished, stopped or crashed. Read-only: it takes no lock and writes nothing.
 */
public final class RunListing {

  /** What a run is doing. */
  public enum State {
    /** a live ram process holds the run's writer lock */
    RUNNING,
    /** every configured epoch is published */
    FINISHED,
    /** no process holds it and epochs remain, with nothing left half-written: rerunning resumes */
    STOPPED,
    /** no process holds it and an epoch was left half-written or a failure was logged after the last epoch: rerunning resumes */
    CRASHED
  }

  /** One run. {@code reward} and {@code evaluation} are NaN where the run has none yet. */
  public record Summary(Path dir, String config, String algorithm, int epochsDone, int epochs, double reward, String evaluationName,
      double evaluation, State state, Instant updated) {}

  private RunListing() {}

  /** The runs at {@code dir} (a run itself) or up to two levels below it, sorted by path. */
  public static List<Summary> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(dir + ": no such directory; expected a run directory or a directory of runs (default outputs/)");
    }
    List<Summary> runs = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(dir, 2)) {
      for (Path p : paths.filter(Files::isDirectory).sorted().toList()) {
        if (OwnedDirectory.isOwned(p, OwnedDirectory.Kind.RUN) && Files.isRegularFile(p.resolve("config.yaml"))) {
          runs.add(summarize(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return runs;
  }

  /** One run's summary. */
  static Summary summarize(Path dir) {
    RunDirectory run = new RunDirectory(dir);
    RunConfig config = RunConfig.readResolved(run.configFile(), dir.getFileName().toString());
    int done = run.latestEpoch();
    int epochs = config.schedule().epochs();
    MetricsTail tail = MetricsTail.read(dir.resolve("metrics.jsonl"), done);
    State state;
    if (WriterLock.heldInThisJvm(dir) || heldByLiveProcess(dir.resolve(WriterLock.FILE))) {
      state = State.RUNNING;
    } else if (done >= epochs) {
      state = State.FINISHED;
    } else if (hasPartialEpoch(dir) || failedAfter(dir, done, run)) {
      state = State.CRASHED;
    } else {
      state = State.STOPPED;
    }
    return new Summary(dir, configName(run.configFile()), config.schedule().algorithm(), done, epochs, tail.reward, tail.evaluationName,
        tail.evaluation, state, lastModified(done == 0 ? run.configFile() : run.epochDir(done)));
  }

  /** The config's name from the resolved config's first-line comment, or "?". */
  private static String configName(Path resolved) {
    try (Stream<String> lines = Files.lines(resolved, StandardCharsets.UTF_8)) {
      String first = lines.findFirst().orElse("");
      int a = first.indexOf('\'');
      int b = first.indexOf('\'', a + 1);
      return a >= 0 && b > a ? first.substring(a + 1, b) : "?";
    } catch (IOException e) {
      return "?";
    }
  }

  /** Whether the lock file's record names another live process on this host that started before the record was written. */
  static boolean heldByLiveProcess(Path lockFile) {
    if (!Files.isRegularFile(lockFile)) {
      return false;
    }
    try {
      JsonObject record = JsonParser.parseString(Files.readString(lockFile, StandardCharsets.UTF_8)).getAsJsonObject();
      long pid = record.get("pid").getAsLong();
      if (pid == ProcessHandle.current().pid()) {
        return false; // this process: it holds the lock only if WriterLock says so
      }
      Instant started = Instant.parse(record.get("started").getAsString());
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty() || !process.get().isAlive()) {
        return false;
      }
      Optional<Instant> processStart = process.get().info().startInstant();
      return processStart.isEmpty() || !processStart.get().isAfter(started);
    } catch (IOException | RuntimeException e) {
      return false; // empty (never written) or unreadable: no live holder can be named
    }
  }

  private static boolean hasPartialEpoch(Path dir) {
    Path epochs = dir.resolve("epochs");
    if (!Files.isDirectory(epochs)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(epochs)) {
      return entries.anyMatch(p -> p.getFileName().toString().endsWith(".partial"));
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether a failure log in {@code logs/} is newer than the latest published epoch. */
  private static boolean failedAfter(Path dir, int done, RunDirectory run) {
    Path logs = dir.resolve("logs");
    if (!Files.isDirectory(logs)) {
      return false;
    }
    Instant published = lastModified(done == 0 ? run.configFile() : run.epochDir(done));
    try (Stream<Path> entries = Files.list(logs)) {
      return entries.anyMatch(p -> lastModified(p).isAfter(published));
    } catch (IOException e) {
      return false;
    }
  }

  private static Instant lastModified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toInstant();
    } catch (IOException e) {
      return Instant.EPOCH;
    }
  }

  /** The latest epoch's training reward and the latest held-out evaluation from a run's {@code metrics.jsonl}. */
  private record MetricsTail(double reward, String evaluationName, double evaluation) {

    static MetricsTail read(Path file, int latest) {
      double reward = Double.NaN;
      String evalName = "";
      double eval = Double.NaN;
      int evalEpoch = -1;
      if (!Files.isRegularFile(file)) {
        return new MetricsTail(reward, evalName, eval);
      }
      try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
        for (String line : (Iterable<String>) lines::iterator) {
          JsonObject o = JsonParser.parseString(line).getAsJsonObject();
          int epoch = o.get("epoch").getAsInt();
          String name = o.get("name").getAsString();
          double value = o.get("value").getAsDouble();
          if (epoch == latest && name.equals("reward_mean") && !o.has("step")) {
            reward = value;
          }
          // the first mean reward (eval_<reward>_mean, in file order: by name) of the latest evaluated epoch
          if (name.startsWith("eval_") && name.endsWith("_mean") && epoch > evalEpoch) {
            evalEpoch = epoch;
            evalName = name.substring("eval_".length(), name.length() - "_mean".length());
            eval = value;
          }
        }
      } catch (IOException | RuntimeException e) {
        return new MetricsTail(reward, evalName, eval); // a run being rewritten: show what was read
      }
      return new MetricsTail(reward, evalName, eval);
    }
  }

  /** The table {@code ./ram runs} prints. */
  public static String table(List<Summary> runs, Path base) {
    if (runs.isEmpty()) {
      return "no runs under " + base + "\n";
    }
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-36s %-16s %-9s %9s %8s %-18s %-8s %s%n", "RUN", "CONFIG",
        "ALGORITHM", "EPOCHS", "REWARD", "EVALUATION", "STATE", "UPDATED"));
    for (Summary s : runs) {
      String rel = base.toAbsolutePath().normalize().relativize(s.dir().toAbsolutePath().normalize()).toString();
      out.append(String.format(Locale.ROOT, "%-36s %-16s %-9s %9s %8s %-18s %-8s %s%n", rel.isEmpty() ? "." : rel, s.config(),
          s.algorithm(), s.epochsDone() + "/" + s.epochs(), Double.isNaN(s.reward()) ? "-" : String.format(Locale.ROOT, "%.4f", s.reward()),
          Double.isNaN(s.evaluation()) ? "-" : String.format(Locale.ROOT, "%s %.4f", s.evaluationName(), s.evaluation()),
          s.state().name().toLowerCase(Locale.ROOT), s.updated().toString().replaceFirst("\\.\\d+Z$", "Z")));
    }
    return out.toString();
  }
}
