package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ram} launcher, run by bash with fake {@code java} and {@code mvn} programs on PATH:
 * it refuses a Java other than 17 in one line before it builds anything, and it builds only the
 * CLI's modules without tests, offline first and online only when an artifact is missing; a
 * user's jars in {@code RAM_CLASSPATH} come after ram's own classes.
 */
class LauncherTest {

  static final Path LAUNCHER = RunConfigTest.HOME.resolve("ram");

  record Outcome(int code, String out, String err) {}

  /** A launcher copy in {@code home} (a checkout without build outputs) run with {@code bin} first on PATH and no JAVA_HOME. */
  static Outcome launch(Path home, Path bin, Map<String, String> env, String... args) throws Exception {
    Path launcher = home.resolve("ram");
    if (!Files.exists(launcher)) {
      Files.createDirectories(home);
      Files.copy(LAUNCHER, launcher);
      Files.writeString(home.resolve("pom.xml"), "<project/>\n");
      for (String m : List.of("runners", "pipelines", "transforms", "model", "rewards", "schemas")) {
        Files.createDirectories(home.resolve(m).resolve("src/main/java"));
      }
    }
    ProcessBuilder pb = new ProcessBuilder(new java.util.ArrayList<>(List.of("bash", launcher.toString())));
    pb.command().addAll(List.of(args));
    pb.environment().remove("JAVA_HOME");
    pb.environment().put("PATH", bin + ":/usr/bin:/bin");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(home.getParent(), "out", ".txt");
    Path err = Files.createTempFile(home.getParent(), "err", ".txt");
    Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not end");
    return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
  }

  static void script(Path file, String body) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** A {@code java} that says it is {@code versionLine} and otherwise prints its arguments. */
  static Path fakeJava(Path bin, String versionLine) throws IOException {
    script(bin.resolve("java"), "if [ \"$1\" = -version ]; then echo '" + versionLine + "' >&2; exit 0; fi\necho \"java $*\"\n");
    return bin.resolve("java");
  }

  /** An {@code mvn} that appends its arguments to {@code log}, then runs {@code then}. */
  static void fakeMaven(Path bin, Path log, String then) throws IOException {
    script(bin.resolve("mvn"), "echo \"$*\" >> '" + log + "'\n" + then);
  }

  @Test
  void aJavaOtherThan17IsRefusedInOneLineBeforeAnyBuild(@TempDir Path tmp) throws Exception {
    Path log = tmp.resolve("mvn.log");
    for (String[] c : new String[][] {{"openjdk version \"21.0.2\" 2024-01-16", "21.0.2"}, {"java version \"1.8.0_292\"", "1.8.0_292"},
        {"openjdk version \"11.0.22\" 2024-01-16 LTS", "11.0.22"}}) {
      Path bin = tmp.resolve("bin-" + c[1]);
      Path java = fakeJava(bin, c[0]);
      fakeMaven(bin, log, "exit 1\n");
      Outcome o = launch(tmp.resolve("home"), bin, Map.of(), "help");
      assertEquals(2, o.code(), o.err());
      assertEquals("ram: needs Java 17, found " + c[1] + " (" + java + "); set JAVA_HOME to a Java 17\n", o.err());
      assertEquals("", o.out());
    }
    assertFalse(Files.exists(log), "Maven was run");
    assertFalse(Files.exists(tmp.resolve("home/runners/target")), "something was built");
  }

  @Test
  void javaHomeWinsOverPath(@TempDir Path tmp) throws Exception {
    Path onPath = fakeJava(tmp.resolve("bin"), "openjdk version \"17.0.15\" 2025-04-15");
    Path home8 = tmp.resolve("jdk8");
    Path java8 = fakeJava(home8.resolve("bin"), "java version \"1.8.0_292\"");
    Outcome o = launch(tmp.resolve("home"), onPath.getParent(), Map.of("JAVA_HOME", home8.toString()), "help");
    assertEquals(2, o.code());
    assertEquals("ram: needs Java 17, found 1.8.0_292 (" + java8 + "); set JAVA_HOME to a Java 17\n", o.err());
  }

  @Test
  void itBuildsTheCliModulesWithoutTestsOfflineThenOnlineOnlyForAMissingArtifact(@TempDir Path tmp) throws Exception {
    Path bin = tmp.resolve("bin");
    Path home = tmp.resolve("home");
    fakeJava(bin, "openjdk version \"17.0.15\" 2025-04-15");
    Path log = tmp.resolve("mvn.log");
    fakeMaven(bin, log, "case \" $* \" in *\" -o \"*) echo '[ERROR] Cannot access central (https://repo.maven.apache.org/maven2) "
        + "in offline mode and the artifact org.example:x:jar:1 has not been downloaded from it before.'; exit 1;; esac\n"
        + "mkdir -p '" + home + "/runners/target' && echo /fake.jar > '" + home + "/runners/target/classpath.txt'\n");
    Outcome o = launch(home, bin, Map.of(), "help");
    assertEquals(0, o.code(), o.err());
    List<String> builds = Files.readAllLines(log);
    assertEquals(2, builds.size(), builds.toString());
    assertEquals("-o -B -q -DskipTests -Dmaven.test.skip=true -pl runners -am install", builds.get(0));
    assertEquals("-B -q -DskipTests -Dmaven.test.skip=true -pl runners -am install", builds.get(1));
    assertTrue(o.err().contains("building online"), o.err());
    assertTrue(o.out().startsWith("java ") && o.out().trim().endsWith("ram.runners.cli.Main help"), o.out());

    Outcome again = launch(home, bin, Map.of(), "help");
    assertEquals(0, again.code(), again.err());
    assertEquals(2, Files.readAllLines(log).size(), "built again although nothing changed");
    assertTrue(again.out().contains(":/fake.jar ") && !again.out().contains("/user/"), again.out());

    Outcome user = launch(home, bin, Map.of("RAM_CLASSPATH", "/user/brightness.jar:/user/classes"), "help");
    assertEquals(0, user.code(), user.err());
    assertTrue(user.out().contains(":/fake.jar:/user/brightness.jar:/user/classes "), "a user's jars after ram's classes: " + user.out());
  }

  @Test
  void aBuildThatFailsOfflineForAnotherReasonIsNotRetriedOnline(@TempDir Path tmp) throws Exception {
    Path bin = tmp.resolve("bin");
    fakeJava(bin, "openjdk version \"17.0.15\" 2025-04-15");
    Path log = tmp.resolve("mvn.log");
    fakeMaven(bin, log, "echo '[ERROR] COMPILATION ERROR : Main.java:[3,1] class, interface, enum, or record expected'; exit 1\n");
    Outcome o = launch(tmp.resolve("home"), bin, Map.of(), "help");
    assertEquals(1, o.code());
    assertEquals(1, Files.readAllLines(log).size(), "retried online");
    assertTrue(o.err().contains("COMPILATION ERROR"), "Maven's output is shown: " + o.err());
    assertEquals("", o.out(), "the CLI did not run");
  }
}
