package ram.runners;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.runners.store.WriterLock;
import ram.runners.train.RunDirectory;

/**
 * ram writes only where it owns the target: every command that writes a directory refuses a
 * non-empty one it did not write, naming the path and what it found, before touching anything;
 * one writer at a time per directory; crash debris is cleared only under ram's own names; a
 * resume survives an empty or corrupt {@code latest} and a corrupt newest epoch. Each refusal is
 * checked for its exact line, exit code 2, and an unchanged surrounding tree.
 */
class SafeTargetsTest {

  static final Path HOME = RunConfigTest.HOME;
  @TempDir static Path tmp;
  static Path run;

  static List<String> train(Path out, String... more) {
    List<String> a = new ArrayList<>(List.of("train", "toy2d", "--output_dir", out.toString(), "--runner", "direct", "--epochs", "2",
        "--prompts_per_epoch", "4", "--images_per_prompt", "8", "--optimizer_steps_per_epoch", "1", "--eval_samples", "0"));
    a.addAll(List.of(more));
    return a;
  }

  @BeforeAll
  static void anExistingRun() {
    run = tmp.resolve("run");
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(train(run).toArray(String[]::new));
    assertEquals(0, o.code(), o.err());
  }

  /** A user's folder: files ram did not write. */
  static Path usersFolder(String name) throws IOException {
    Path d = Files.createDirectories(tmp.resolve(name));
    Files.writeString(d.resolve("keep_me.txt"), "months of notes\n");
    Files.createDirectories(d.resolve("a"));
    Files.writeString(d.resolve("a/x.tmp"), "not ram's\n");
    Files.writeString(d.resolve("config.yaml"), "foo: 1\n");
    return d;
  }

  record Refusal(String what, List<String> args, String line) {}

  @Test
  void aTargetRamDidNotWriteIsRefusedAndLeftAlone() throws Exception {
    Path users = usersFolder("users");
    Path export = tmp.resolve("an-export");
    BadInputCorpusTest.Outcome made = BadInputCorpusTest.ram("export", run.toString(), "--to", export.toString(), "--runner", "direct");
    assertEquals(0, made.code(), made.err());
    Path foreignBase = Files.createDirectories(tmp.resolve("foreign-base"));
    Files.writeString(foreignBase.resolve("weights.bin"), "a user's weights\n");
    String found = "found a, config.yaml, keep_me.txt";
    String refuse = ": not empty and not written by ram (" + found
        + "); ram only writes into a new or empty directory, or one it wrote; choose another directory";
    List<Refusal> cases = List.of(
        new Refusal("train into a user's folder", train(users), "error: --output_dir " + users + refuse),
        new Refusal("train into an export", train(export),
            "error: --output_dir " + export + ": this directory holds an export, not a training run; choose another directory"),
        new Refusal("evaluate into a user's folder", List.of("evaluate", "--checkpoint", run.resolve("latest").toString(), "--out",
            users.toString(), "--eval_samples", "8", "--runner", "direct"), "error: --out " + users + refuse),
        new Refusal("evaluate into a run", List.of("evaluate", "--checkpoint", run.resolve("latest").toString(), "--out",
            run.toString(), "--eval_samples", "8", "--runner", "direct"),
            "error: --out " + run + ": this directory holds a training run, not an evaluation; choose another directory"),
        new Refusal("export into a user's folder", List.of("export", run.toString(), "--to", users.toString(), "--runner", "direct"),
            "error: --to " + users + refuse),
        new Refusal("export into a run", List.of("export", run.toString(), "--to", run.toString(), "--runner", "direct"),
            "error: --to " + run + ": this directory holds a training run, not an export; choose another directory"),
        new Refusal("export onto a file", List.of("export", run.toString(), "--to", users.resolve("keep_me.txt").toString()),
            "error: --to " + users.resolve("keep_me.txt") + ": exists and is not a directory; ram writes an export there"),
        new Refusal("rescore a store ram did not write", List.of("rescore", copyOfEpoch().toString(), "--reward", "toy2d"),
            "error: rescore: " + tmp.resolve("copied-epoch") + " is not inside a run or evaluation directory that ram wrote (no "
                + ".ram-owner above it); rescore writes rewards-NAME/ beside the samples only there"),
        new Refusal("pretrain over a user's weights", List.of("pretrain", "toy2d", "--base_checkpoint", foreignBase.toString(),
            "--pretrain_steps", "5"), "error: base_checkpoint " + foreignBase + ": exists and is not a base checkpoint written by "
                + "ram pretrain (no manifest.json of kind base); pretraining would replace it: choose another base_checkpoint"),
        new Refusal("a Flink cluster in a user's folder", List.of("flink", "start", "--dir", users.toString()),
            "error: flink start --dir " + users + refuse),
        new Refusal("flink stop in a user's folder", List.of("flink", "stop", "--dir", users.toString()),
            "error: flink stop --dir " + users + refuse),
        new Refusal("flink status in a user's folder", List.of("flink", "status", "--dir", users.toString()),
            "error: flink status --dir " + users + refuse));
    Map<String, String> before = BadInputCorpusTest.snapshot(tmp);
    for (Refusal c : cases) {
      BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(c.args().toArray(String[]::new));
      assertEquals(2, o.code(), c.what() + ": " + o.err() + o.out());
      assertEquals(c.line(), o.err().strip(), c.what());
      assertEquals(before, BadInputCorpusTest.snapshot(tmp), c.what() + " changed a byte under " + tmp);
    }
  }

  private static Path copyOfEpoch() throws IOException {
    Path copy = tmp.resolve("copied-epoch");
    if (!Files.exists(copy)) {
      BadInputCorpusTest.copyTree(run.resolve("epochs/000001"), copy);
    }
    return copy;
  }

  @Test
  void debrisIsClearedOnlyUnderRamsOwnNames() throws Exception {
    Path copy = tmp.resolve("debris-run");
    BadInputCorpusTest.copyTree(run, copy);
    List<String> ramsDebris = List.of("epochs/000003.partial/samples/x.parquet", "latest.tmp-4242", "epochs/000001/rewards-toy2d.staging/r.parquet",
        "epochs/000001/rewards-toy2d.old/r.parquet", ".ram-staging/results.json", "metrics.csv.tmp-1a2b3c");
    List<String> usersFiles = List.of("notes.tmp", "epochs/000001/mine.partial", "epochs/keep.partial/a.txt", "drafts/report.tmp-final",
        "epochs/000001/rewards-toy2d.backup/r.parquet");
    for (String f : ramsDebris) {
      Files.createDirectories(copy.resolve(f).getParent());
      Files.writeString(copy.resolve(f), "debris");
    }
    for (String f : usersFiles) {
      Files.createDirectories(copy.resolve(f).getParent());
      Files.writeString(copy.resolve(f), "a user's");
    }
    new RunDirectory(copy).removeCrashDebris();
    for (String f : ramsDebris) {
      assertFalse(Files.exists(copy.resolve(f)), f + " is ram's debris and should be gone");
    }
    for (String f : usersFiles) {
      assertEquals("a user's", Files.readString(copy.resolve(f)), f + " is not ram's and must stay");
    }
    assertFalse(Files.exists(copy.resolve("epochs/000003.partial")));
    assertTrue(Files.isDirectory(copy.resolve("epochs/000002/checkpoint")), "published epochs stay");
  }

  @Test
  void aSecondWriterIsRefusedNamingTheHolderAndADeadHoldersLockIsTakenOver() throws Exception {
    Path copy = tmp.resolve("locked-run");
    BadInputCorpusTest.copyTree(run, copy);
    Files.deleteIfExists(copy.resolve(WriterLock.FILE));
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), HoldWriterLock.class.getName(), copy.toString(), "train toy2d").redirectErrorStream(true).start();
    try {
      BufferedReader said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked " + copy, said.readLine());
      Map<String, String> before = BadInputCorpusTest.snapshot(copy);
      String host = InetAddress.getLocalHost().getHostName();
      String prefix = "error: " + copy + ": in use by ram train toy2d (pid " + holder.pid() + " on " + host + ", since ";
      for (List<String> second : List.of(train(copy, "--epochs", "3"), List.of("rescore", copy.toString(), "--reward", "toy2d"))) {
        BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(second.toArray(String[]::new));
        assertEquals(2, o.code(), o.err() + o.out());
        assertTrue(o.err().strip().startsWith(prefix) && o.err().strip().endsWith("); wait for it to finish, or stop it"), o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertEquals(before, BadInputCorpusTest.snapshot(copy), "a refused second writer changed the run");
      }
    } finally {
      holder.destroyForcibly(); // SIGKILL: the kernel drops its lock
      holder.waitFor(30, TimeUnit.SECONDS);
    }
    BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(train(copy, "--epochs", "3").toArray(String[]::new));
    assertEquals(0, o.code(), "the dead holder's lock should be taken over: " + o.err());
    assertTrue(Files.isDirectory(copy.resolve("epochs/000003/checkpoint")));
  }

  @Test
  void resumeFallsBackToTheNewestEpochThatVerifies() throws Exception {
    byte[] epoch2 = Checkpoint.readDirectory(run.resolve("epochs/000002/checkpoint")).get(Checkpoint.THETA);
    for (String damage : List.of("empty latest", "garbage latest", "corrupt newest epoch", "truncated newest epoch")) {
      Path copy = tmp.resolve(damage.replace(' ', '-'));
      BadInputCorpusTest.copyTree(run, copy);
      Path theta = copy.resolve("epochs/000002/checkpoint/theta.params");
      switch (damage) {
        case "empty latest" -> Files.writeString(copy.resolve("latest"), "");
        case "garbage latest" -> Files.writeString(copy.resolve("latest"), "\u0000\u0000zz");
        case "corrupt newest epoch" -> {
          byte[] bytes = Files.readAllBytes(theta);
          bytes[bytes.length / 2] ^= 1;
          Files.write(theta, bytes);
        }
        default -> Files.write(theta, java.util.Arrays.copyOf(Files.readAllBytes(theta), 100));
      }
      BadInputCorpusTest.Outcome o = BadInputCorpusTest.ram(train(copy).toArray(String[]::new));
      assertEquals(0, o.code(), damage + ": " + o.err() + o.out());
      assertEquals("000002", Files.readString(copy.resolve("latest")).strip(), damage);
      assertArrayEquals(epoch2, Checkpoint.readDirectory(copy.resolve("epochs/000002/checkpoint")).get(Checkpoint.THETA),
          damage + ": the epoch rerun after the fallback should equal the original");
      if (damage.endsWith("latest")) {
        assertTrue(o.out().contains("resume: " + copy.resolve("latest") + " is empty or corrupt"), o.out());
        assertTrue(o.out().contains("epochs 3..2 of 2"), damage + ": nothing to redo\n" + o.out());
      } else {
        assertTrue(o.out().contains("resume: epoch 2 does not verify ("), o.out());
        assertTrue(o.out().contains("epochs 2..2 of 2"), damage + ": epoch 2 is redone\n" + o.out());
        List<String> aside;
        try (Stream<Path> s = Files.list(copy.resolve("epochs"))) {
          aside = s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("000002.corrupt-")).toList();
        }
        assertEquals(1, aside.size(), damage + ": the corrupt epoch is kept aside, not deleted");
      }
    }
  }
}
