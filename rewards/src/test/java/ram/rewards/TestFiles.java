package ram.rewards;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the repository's committed files (prompt sets) from the tests. */
public final class TestFiles {

  private TestFiles() {}

  /** The repository root: the {@code ram.repo} system property set by Maven, else the parent folder. */
  public static Path repo() {
    String configured = System.getProperty("ram.repo");
    if (configured != null && Files.isDirectory(Path.of(configured, "prompts"))) {
      return Path.of(configured);
    }
    Path here = Path.of("").toAbsolutePath();
    return Files.isDirectory(here.resolve("prompts")) ? here : here.getParent();
  }
}
