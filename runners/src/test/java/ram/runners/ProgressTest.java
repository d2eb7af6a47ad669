package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.runners.train.Progress;
import ram.runners.train.Progress.Position;
import ram.runners.train.Progress.Stage;

/** The run's time left from the epochs run so far, its wording, and an epoch's stage read from its files. */
class ProgressTest {

  static final long S = 1_000_000_000L;

  @Test
  void timeLeftIsTheMeanEpochTimesTheEpochsLeft() {
    AtomicLong now = new AtomicLong(7 * S); // any origin
    Progress.Eta eta = new Progress.Eta(10, now::get); // made just before epoch 1
    assertTrue(eta.secondsLeftDuring(1).isEmpty(), "no estimate before an epoch has ended");
    now.addAndGet(120 * S);
    eta.epochDone(); // epoch 1: 120 s
    now.addAndGet(80 * S);
    eta.epochDone(); // epoch 2 ended 200 s after epoch 1 began: 100 s per epoch
    assertEquals(100.0, eta.meanEpochSeconds().getAsDouble(), 1e-9);
    assertEquals(800.0, eta.secondsLeftAfter(2).getAsDouble(), 1e-9, "8 epochs of 100 s");
    now.addAndGet(30 * S);
    assertEquals(770.0, eta.secondsLeftDuring(3).getAsDouble(), 1e-9, "70 s of epoch 3, then 7 epochs of 100 s");
    now.addAndGet(170 * S);
    assertEquals(700.0, eta.secondsLeftDuring(3).getAsDouble(), 1e-9, "epoch 3 over its mean: only the 7 later epochs");
    assertEquals(0.0, eta.secondsLeftAfter(10).getAsDouble(), 1e-9);
  }

  @Test
  void aResumedRunMeasuresOnlyTheEpochsThisProcessRan() {
    AtomicLong now = new AtomicLong(0);
    Progress.Eta eta = new Progress.Eta(10, now::get); // before epoch 7 of 10, after a resume
    now.addAndGet(50 * S);
    eta.epochDone();
    assertEquals(150.0, eta.secondsLeftAfter(7).getAsDouble(), 1e-9, "epochs 8, 9, 10 at 50 s");
  }

  @Test
  void durationsAndFinishTimesReadAsAPersonWritesThem() {
    assertEquals("0s", Progress.duration(0.2));
    assertEquals("45s", Progress.duration(45));
    assertEquals("1m00s", Progress.duration(59.6));
    assertEquals("4m10s", Progress.duration(250));
    assertEquals("1h02m", Progress.duration(3725));
    assertEquals("26h00m", Progress.duration(26 * 3600 + 10));
    Instant now = Instant.parse("2024-05-01T11:59:50Z");
    assertEquals("12:04", Progress.finish(now, 250, ZoneOffset.UTC));
    assertEquals("14:04", Progress.finish(now, 250, ZoneId.of("Europe/Berlin")), "local time (UTC+2 in May)");
    assertEquals("2024-05-02 14:00", Progress.finish(now, 26 * 3600 + 10, ZoneOffset.UTC));
  }

  @Test
  void theLinesAfterAnEpochSayTheTimeLeftAndTheFinish() {
    AtomicLong now = new AtomicLong(0);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Progress progress = new Progress(new PrintStream(text, true), 3, now::get,
        Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC));
    progress.watch(1, Path.of("/nonexistent"), 2).close();
    now.addAndGet(90 * S);
    progress.epochDone(1);
    progress.epochDone(3); // the last: nothing left to estimate
    assertEquals("  1 of 3 epochs done, 1m30s per epoch; ETA 3m00s (finish ~12:03)\n",
        text.toString().replaceFirst("(?s)^  epoch 1/3: sample,[^\n]*\n", ""));
  }

  static String awaitLines(ByteArrayOutputStream text, int lines) throws InterruptedException {
    long deadline = System.nanoTime() + 10 * S;
    while (text.toString().lines().count() < lines && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return text.toString();
  }

  @Test
  void aWatchPrintsEachStageItsEpochReachesAndNothingOnceClosed(@TempDir Path epoch) throws Exception {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    Progress progress = new Progress(new PrintStream(text, true), 3);
    touch(epoch, "samples/.temp-beam/a");
    String printed;
    try (Progress.StageWatch watch = progress.watch(1, epoch, 2)) {
      printed = awaitLines(text, 1);
      assertTrue(printed.matches("  epoch 1/3: reward, 0s in; ETA after the first epoch\n"), printed);
      touch(epoch, "rewards/.temp-beam/a");
      touch(epoch, "advantages/.temp-beam/a"); // two stages on within one look or two: the furthest is printed
      printed = awaitLines(text, 2);
    }
    assertTrue(printed.lines().skip(1).findFirst().orElse("").startsWith("  epoch 1/3: gradient step 1/2, "), printed);
    touch(epoch, "checkpoint/manifest.json");
    Thread.sleep(Progress.MIN_LINE_INTERVAL.toMillis() + 3 * Progress.POLL.toMillis());
    assertEquals(printed, text.toString(), "nothing printed after the watch is closed");
  }

  static Path touch(Path dir, String file) throws Exception {
    Path f = dir.resolve(file);
    Files.createDirectories(f.getParent());
    return Files.write(f, new byte[] {1});
  }

  @Test
  void anEpochsStageIsTheFurthestItsFilesShowBegun(@TempDir Path epoch) throws Exception {
    int steps = 2;
    assertEquals(Position.of(Stage.SAMPLE), Progress.position(epoch, steps));
    touch(epoch, "scratch/state-start.bin");
    assertEquals(Position.of(Stage.SAMPLE), Progress.position(epoch, steps), "the start state alone: sampling");
    touch(epoch, "samples/.temp-beam/a");
    assertEquals(Position.of(Stage.REWARD), Progress.position(epoch, steps));
    touch(epoch, "rewards/.temp-beam/a");
    assertEquals(Position.of(Stage.ADVANTAGE), Progress.position(epoch, steps));
    touch(epoch, "advantages/.temp-beam/a");
    assertEquals(new Position(Stage.GRADIENT, 1, 2), Progress.position(epoch, steps));
    touch(epoch, "scratch/step-000/gradient-shard-000.bin");
    assertEquals("gradient step 1/2", Progress.position(epoch, steps).toString());
    touch(epoch, "scratch/step-000/gradient-sum.bin");
    assertEquals("update 1/2", Progress.position(epoch, steps).toString());
    touch(epoch, "scratch/step-000/state.bin");
    assertEquals("gradient step 2/2", Progress.position(epoch, steps).toString());
    touch(epoch, "scratch/step-001/gradient-shard-003.bin.tmp-1a2b3c");
    assertEquals("gradient step 2/2", Progress.position(epoch, steps).toString(), "a shard not yet in place");
    touch(epoch, "scratch/step-001/gradient-sum.bin");
    assertEquals("update 2/2", Progress.position(epoch, steps).toString());
    touch(epoch, "scratch/step-001/state.bin");
    assertEquals(Position.of(Stage.CHECKPOINT), Progress.position(epoch, steps), "the last update done: the checkpoint");
  }

  @Test
  void positionsOrderAsTheEpochRuns() {
    Position[] order = {Position.of(Stage.SAMPLE), Position.of(Stage.REWARD), Position.of(Stage.ADVANTAGE),
        new Position(Stage.GRADIENT, 1, 3), new Position(Stage.UPDATE, 1, 3), new Position(Stage.GRADIENT, 2, 3),
        new Position(Stage.UPDATE, 2, 3), new Position(Stage.GRADIENT, 3, 3), new Position(Stage.UPDATE, 3, 3),
        Position.of(Stage.CHECKPOINT)};
    for (int i = 1; i < order.length; i++) {
      assertTrue(order[i - 1].compareTo(order[i]) < 0, order[i - 1] + " before " + order[i]);
    }
  }
}
