package ram.runners.train;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The commit a run was made from, for provenance ("unknown" outside a git checkout). */
public final class GitInfo {

  private GitInfo() {}

  public static String commit(Path home) {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").directory(home.toFile()).redirectErrorStream(true).start();
      String s = new String(p.getInputStream().readAllBytes()).strip();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        Process dirty = new ProcessBuilder("git", "status", "--porcelain").directory(home.toFile()).start();
        boolean isDirty = !new String(dirty.getInputStream().readAllBytes()).isBlank();
        dirty.waitFor(10, TimeUnit.SECONDS);
        return isDirty ? s + "+dirty" : s;
      }
    } catch (Exception e) {
      // fall through
    }
    return "unknown";
  }
}
