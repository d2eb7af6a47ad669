package ram.runners.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

import ram.runners.train.RunDirectory;

/**
 * A process that {@code ram flink start} launched, as its pid file records it: the pid, when the
 * process started and a part of its command line that names it (main class and configuration
 * directory). A pid alone may be reused by another program once the process is gone; before a
 * cluster's process is signalled, its start time and command line are checked against the record.
 *
 * @param pid the process id
 * @param startMillis start time in milliseconds since the epoch, or -1 where the record has none
 *     (a pid file of an earlier ram, which held the bare pid)
 * @param command what the process's command line contains
 */
public record StartedProcess(long pid, long startMillis, String command) {

  /** The record of a process just started with a command line that contains {@code command}. */
  static StartedProcess of(ProcessHandle process, String command) {
    return new StartedProcess(process.pid(), process.info().startInstant().map(Instant::toEpochMilli).orElse(-1L), command);
  }

  /** Writes the record (one {@code key=value} a line). */
  void write(Path file) throws IOException {
    RunDirectory.writeAtomically(file, "pid=" + pid + "\nstarted=" + startMillis + "\ncommand=" + command + "\n");
  }

  /**
   * The record in {@code file}, or null if it holds none. A bare pid (an earlier ram's file) is
   * recognised by the configuration directory beside {@code run/} on its command line.
   */
  public static StartedProcess read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
    try {
      if (text.matches("\\d+")) {
        return new StartedProcess(Long.parseLong(text), -1, "--configDir " + file.toAbsolutePath().getParent().resolveSibling("conf"));
      }
      long pid = -1;
      long started = -1;
      String command = null;
      for (String line : text.split("\n")) {
        int eq = line.indexOf('=');
        String key = eq < 0 ? line : line.substring(0, eq);
        String value = eq < 0 ? "" : line.substring(eq + 1);
        switch (key) {
          case "pid" -> pid = Long.parseLong(value);
          case "started" -> started = Long.parseLong(value);
          case "command" -> command = value;
          default -> { } // a later field
        }
      }
      return pid > 0 && command != null && !command.isBlank() ? new StartedProcess(pid, started, command) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Why the live process of this pid is not the recorded one (gone, started at another time, another program), if it is not. */
  Optional<String> differenceFromLive() {
    Optional<ProcessHandle> live = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (live.isEmpty()) {
      return Optional.of("process " + pid + " is gone");
    }
    Optional<Instant> liveStart = live.get().info().startInstant();
    if (startMillis >= 0 && (liveStart.isEmpty() || liveStart.get().toEpochMilli() != startMillis)) {
      return Optional.of("process " + pid + " started at " + liveStart.map(Instant::toString).orElse("an unknown time") + ", not at "
          + Instant.ofEpochMilli(startMillis) + ": another program has its pid; not signalled");
    }
    String commandLine = commandLine(live.get());
    if (!commandLine.contains(command)) {
      return Optional.of("process " + pid + " runs '" + abbreviate(commandLine) + "', not '" + command
          + "': another program has its pid; not signalled");
    }
    return Optional.empty();
  }

  /**
   * The whole command line, arguments separated by spaces: from {@code /proc} where there is one,
   * since the JDK cuts long command lines short (a Flink JVM's classpath alone is longer).
   */
  static String commandLine(ProcessHandle process) {
    Path procCmdline = Path.of("/proc", Long.toString(process.pid()), "cmdline");
    if (Files.isReadable(procCmdline)) {
      try {
        return new String(Files.readAllBytes(procCmdline), StandardCharsets.UTF_8).replace('\0', ' ').strip();
      } catch (IOException e) {
        // gone meanwhile: no command line
        return "";
      }
    }
    return process.info().commandLine().orElse("");
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }
}
