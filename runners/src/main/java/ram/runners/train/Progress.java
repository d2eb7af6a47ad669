package ram.runners.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.LongSupplier;

/**
 * What a training run prints while it runs, so that a person sees where an epoch is and when the
 * run will end: during an epoch, a line whenever its pipeline reaches another stage (sample,
 * reward, advantage, gradient step k/n, update k/n, checkpoint; at most one a second, the stage
 * reached by then), with the time left for the run; and after each epoch the time
 * left for the run's epochs, from the mean time of the epochs this process has run (evaluations
 * included). Before the first epoch has ended there is no estimate yet.
 *
 * <p>The stage is read from the files the epoch's pipeline has written so far into the partial
 * epoch directory ({@link #position}): every runner (Direct, embedded Flink, a session cluster)
 * writes them the same way, whereas Flink runs a job to its end inside {@code Pipeline.run()}
 * and reports Beam's metrics only then.
 */
public final class Progress {

  /** How often the partial epoch directory is looked at. */
  public static final Duration POLL = Duration.ofMillis(200);
  /** The least time between two stage lines, so that a fast epoch does not print dozens. */
  public static final Duration MIN_LINE_INTERVAL = Duration.ofSeconds(1);

  /** The stages of an epoch, in pipeline order (TrainEpochPipeline). */
  public enum Stage {
    SAMPLE("sample"), REWARD("reward"), ADVANTAGE("advantage"), GRADIENT("gradient step"), UPDATE("update"),
    CHECKPOINT("checkpoint");

    final String label;

    Stage(String label) {
      this.label = label;
    }
  }

  /** Where an epoch's pipeline is: its stage and, for gradient and update, the optimizer step (1-based) of {@code steps}. */
  public record Position(Stage stage, int step, int steps) implements Comparable<Position> {

    public static Position of(Stage stage) {
      return new Position(stage, 0, 0);
    }

    /** The order of positions in an epoch: sample, reward, advantage, gradient 1, update 1, ..., checkpoint. */
    public int rank() {
      return switch (stage) {
        case SAMPLE, REWARD, ADVANTAGE -> stage.ordinal();
        case GRADIENT -> 3 + 2 * (step - 1);
        case UPDATE -> 4 + 2 * (step - 1);
        case CHECKPOINT -> Integer.MAX_VALUE;
      };
    }

    @Override
    public int compareTo(Position o) {
      return Integer.compare(rank(), o.rank());
    }

    @Override
    public String toString() {
      return step > 0 ? stage.label + " " + step + "/" + steps : stage.label;
    }
  }

  /**
   * The furthest stage an epoch's pipeline has begun, from what it has written into {@code
   * epochDir} (layout: TrainEpochPipeline; the scratch files: OptimizerStep, ComputeGradients):
   * {@code samples/} means scoring has samples to work on, {@code rewards/} that advantages have
   * rewards, {@code advantages/} that the first gradient step has items; in {@code
   * scratch/step-K/}, gradient shards mean step K+1's gradients are being computed, {@code
   * gradient-sum.bin} that its update is applied, {@code state.bin} that the next step (or the
   * checkpoint) has begun; {@code checkpoint/} that the checkpoint is being written.
   */
  public static Position position(Path epochDir, int steps) {
    if (Files.isDirectory(epochDir.resolve("checkpoint"))) {
      return Position.of(Stage.CHECKPOINT);
    }
    Path scratch = epochDir.resolve(ram.pipelines.TrainEpochPipeline.SCRATCH);
    for (int k = steps - 1; k >= 0; k--) {
      Path step = scratch.resolve(String.format("step-%03d", k));
      if (Files.exists(step.resolve("state.bin"))) {
        return k == steps - 1 ? Position.of(Stage.CHECKPOINT) : new Position(Stage.GRADIENT, k + 2, steps);
      }
      if (Files.exists(step.resolve("gradient-sum.bin"))) {
        return new Position(Stage.UPDATE, k + 1, steps);
      }
      if (hasGradientShard(step)) {
        return new Position(Stage.GRADIENT, k + 1, steps);
      }
    }
    if (Files.isDirectory(epochDir.resolve("advantages"))) {
      return new Position(Stage.GRADIENT, 1, steps);
    }
    if (Files.isDirectory(epochDir.resolve("rewards"))) {
      return Position.of(Stage.ADVANTAGE);
    }
    if (Files.isDirectory(epochDir.resolve("samples"))) {
      return Position.of(Stage.REWARD);
    }
    return Position.of(Stage.SAMPLE);
  }

  private static boolean hasGradientShard(Path stepDir) {
    if (!Files.isDirectory(stepDir)) {
      return false;
    }
    try (DirectoryStream<Path> files = Files.newDirectoryStream(stepDir, "gradient-shard-*.bin")) {
      return files.iterator().hasNext();
    } catch (IOException e) { // removed while looking: the epoch has moved on, the next look sees where
      return false;
    }
  }

  /**
   * The run's time left from the epochs this process has run: their mean is the time from just
   * before the first (when this is made) to the end of the last, divided by their number, so
   * evaluations and driver work between pipelines count.
   */
  public static final class Eta {
    private final int epochs;
    private final LongSupplier nanoTime;
    private final long firstStart;
    private long lastEnd;
    private int done;

    public Eta(int epochs, LongSupplier nanoTime) {
      this.epochs = epochs;
      this.nanoTime = nanoTime;
      this.firstStart = nanoTime.getAsLong();
    }

    /** An epoch has ended. */
    public void epochDone() {
      lastEnd = nanoTime.getAsLong();
      done++;
    }

    /** Mean seconds per epoch so far, or empty before the first has ended. */
    public OptionalDouble meanEpochSeconds() {
      return done == 0 ? OptionalDouble.empty() : OptionalDouble.of((lastEnd - firstStart) / 1e9 / done);
    }

    /**
     * Seconds left for the run while {@code epoch} runs: what the mean leaves of this epoch after
     * the time since the last one ended (none if it takes longer), plus the mean for each later epoch.
     */
    public OptionalDouble secondsLeftDuring(int epoch) {
      if (done == 0) {
        return OptionalDouble.empty();
      }
      double mean = meanEpochSeconds().getAsDouble();
      double into = (nanoTime.getAsLong() - lastEnd) / 1e9;
      return OptionalDouble.of(Math.max(0, mean - into) + mean * (epochs - epoch));
    }

    /** Seconds left for the run after {@code epoch} has ended: the mean for each later epoch. */
    public OptionalDouble secondsLeftAfter(int epoch) {
      return done == 0 ? OptionalDouble.empty() : OptionalDouble.of(meanEpochSeconds().getAsDouble() * (epochs - epoch));
    }
  }

  /** {@code 45s}, {@code 4m10s}, {@code 2h05m}: rounded to the second, hours without seconds. */
  public static String duration(double seconds) {
    long s = Math.round(Math.max(0, seconds));
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    long minutes = Math.round(s / 60.0);
    return String.format(Locale.ROOT, "%dh%02dm", minutes / 60, minutes % 60);
  }

  /** The wall-clock time {@code seconds} after {@code now}: {@code HH:mm} within a day, else with its date. */
  public static String finish(Instant now, double seconds, java.time.ZoneId zone) {
    ZonedDateTime at = now.plusMillis(Math.round(Math.max(0, seconds) * 1000)).atZone(zone);
    String pattern = seconds < 24 * 3600 ? "HH:mm" : "yyyy-MM-dd HH:mm";
    return at.format(DateTimeFormatter.ofPattern(pattern, Locale.ROOT));
  }

  private final PrintStream out;
  private final int epochs;
  private final Eta eta;
  private final Clock clock;

  public Progress(PrintStream out, int epochs) {
    this(out, epochs, System::nanoTime, Clock.systemDefaultZone());
  }

  public Progress(PrintStream out, int epochs, LongSupplier nanoTime, Clock clock) {
    this.out = out;
    this.epochs = epochs;
    this.eta = new Eta(epochs, nanoTime);
    this.clock = clock;
  }

  /** {@code ETA 4m10s (finish ~12:04)}, or that there is no estimate yet. */
  private String eta(OptionalDouble secondsLeft) {
    if (secondsLeft.isEmpty()) {
      return "ETA after the first epoch";
    }
    double s = secondsLeft.getAsDouble();
    return "ETA " + duration(s) + " (finish ~" + finish(clock.instant(), s, clock.getZone()) + ")";
  }

  /**
   * Starts printing the stages of {@code epoch}, whose pipeline writes into {@code epochDir} and
   * takes {@code steps} optimizer steps, until the returned watch is closed.
   */
  public StageWatch watch(int epoch, Path epochDir, int steps) {
    return new StageWatch(epoch, epochDir, steps);
  }

  /** Records that {@code epoch} (and its evaluation, if due) has ended and, unless it was the last, prints the run's time left. */
  public void epochDone(int epoch) {
    eta.epochDone();
    if (epoch < epochs) {
      out.printf("  %d of %d epochs done, %s per epoch; %s%n", epoch, epochs, duration(eta.meanEpochSeconds().getAsDouble()),
          eta(eta.secondsLeftAfter(epoch)));
    }
  }

  /** Prints an epoch's stage whenever it moves on, from a daemon thread, until closed. */
  public final class StageWatch implements AutoCloseable {
    private final int epoch;
    private final Path epochDir;
    private final int steps;
    private final long started = System.nanoTime();
    private final Thread thread;
    private volatile boolean closed;
    private Position printed;
    private long printedAt;

    private StageWatch(int epoch, Path epochDir, int steps) {
      this.epoch = epoch;
      this.epochDir = epochDir;
      this.steps = steps;
      this.thread = new Thread(this::poll, "ram-progress-epoch-" + epoch);
      thread.setDaemon(true);
      thread.start();
    }

    private void poll() {
      while (!closed) {
        Position now = position(epochDir, steps);
        long t = System.nanoTime();
        // a stage is printed once, never one behind the last printed (a file seen late), at most once a MIN_LINE_INTERVAL
        if (printed == null || now.compareTo(printed) > 0 && t - printedAt >= MIN_LINE_INTERVAL.toNanos()) {
          synchronized (this) {
            if (closed) {
              return;
            }
            out.printf("  epoch %d/%d: %s, %s in; %s%n", epoch, epochs, now, duration((t - started) / 1e9),
                eta(eta.secondsLeftDuring(epoch)));
          }
          printed = now;
          printedAt = t;
        }
        try {
          Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** Stops the watch; no stage line is printed after this returns. */
    @Override
    public void close() {
      synchronized (this) {
        closed = true;
      }
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
