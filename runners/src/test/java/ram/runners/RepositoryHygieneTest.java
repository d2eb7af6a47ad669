package ram.runners;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the repository's text about the product: no file speaks of how the project was developed
 * (numbered work steps, issue numbers, the words listed in {@link #DEVELOPMENT_WORDS}), and no file points at a
 * markdown, YAML or Java file that is not there. It reads every text file a reader meets (every
 * {@code *.md}, {@code *.java}, {@code *.yaml}, {@code *.avsc}, {@code pom.xml}, the {@code ram}
 * launcher, the CI script, and every text file under {@code docs/}, {@code configs/},
 * {@code prompts/} (markdown only) and {@code experiments/}), skipping build output, run outputs
 * and {@code .git}; a failure lists every offender as {@code file:line: what}.
 *
 * <p>Flink's "session cluster" (also "session-cluster" and identifiers such as
 * {@code FlinkSessionCluster}) is product vocabulary and allowed. This source file is the one file
 * not read: its self-checks quote what the rules catch, written with {@code %%} inside each word
 * ({@link #d}) so that no other check of the repository mistakes them for the real thing.
 */
class RepositoryHygieneTest {

  /** Development words: each with what the failure message calls it. */
  static final List<Rule> DEVELOPMENT_WORDS = List.of(
      new Rule("a numbered work step", Pattern.compile(d("(?i)\\bst%%ops?[ -]#?\\d+"))),
      new Rule(d("an iss%%ue number"), Pattern.compile(d("(?i)\\biss%%ues?[ -]#?\\d+"))),
      new Rule(d("'ses%%sion' (only Flink's ses%%sion cluster is allowed)"),
          Pattern.compile(d("(?i)\\bses%%sions?\\b(?![ -]clusters?\\b)"))),
      new Rule(d("'the da%%y of'"), Pattern.compile(d("(?i)\\bthe da%%y of\\b"))),
      new Rule(d("'this mach%%ine'"), Pattern.compile(d("(?i)\\b(?:this (?:[\\w-]+ ){0,2}mach%%ines?|these (?:[\\w-]+ )?mach%%ines)\\b"))),
      new Rule(d("'the track%%er'"), Pattern.compile(d("(?i)\\bthe track%%er\\b"))));

  /** A markdown link or image: {@code [text](target)} or {@code ![alt](target "title")}. */
  static final Pattern MARKDOWN_LINK = Pattern.compile("\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

  /**
   * A path mention of a markdown, YAML or Java file: a run of path characters that ends in one of
   * those extensions and does not start inside a longer path, a URL or a template
   * ({@code outputs/<run>/config.yaml} is not a mention).
   */
  static final Pattern PATH_MENTION = Pattern.compile(
      "(?<![\\w./<>*{}$@:~\\\\-])((?:[\\w.-]+/)*[\\w.-]+\\.(md|ya?ml|java))(?![\\w/])");

  /** This test's own source, whose self-checks quote offending text on purpose. */
  static final String SELF = "runners/src/test/java/ram/runners/RepositoryHygieneTest.java";

  private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", "outputs", ".git", ".flink", "node_modules");
  private static final Set<String> TEXT_EXTENSIONS = Set.of("md", "java", "yaml", "yml", "avsc", "txt", "sh", "properties", "json");
  private static final Set<String> EVERYWHERE = Set.of("md", "java", "yaml", "yml", "avsc");

  /**
   * The text of a literal whose words this file must not spell out itself (the repository's own
   * checks read it too): each {@code %%} is removed.
   */
  static String d(String text) {
    return text.replace("%%", "");
  }

  /** One development-word rule. */
  record Rule(String name, Pattern pattern) {}

  @Test
  void noDevelopmentWordsAndNoDeadLinksInTheRepository() {
    Path root = repositoryRoot();
    List<Path> files = textFiles(root);
    assertTrue(files.size() > 100, "the walk found only " + files.size() + " files under " + root);
    assertTrue(files.contains(root.resolve("README.md")) && files.contains(root.resolve("ram")), "the walk missed README.md or ram");
    List<String> offenders = new ArrayList<>();
    for (Path file : files) {
      offenders.addAll(offenders(root, file));
    }
    if (!offenders.isEmpty()) {
      fail(offenders.size() + " offender(s): development words or dead links (see RepositoryHygieneTest):\n"
          + String.join("\n", offenders));
    }
  }

  @Test
  void developmentWordsAreFoundAndProductWordsPass() {
    for (String bad : List.of(d("measured in st%%op 20"), d("St%%op 31's run"), d("the st%%op-25 run"), d("st%%ops 21-25 varied"), d("(iss%%ue 4)"),
        d("iss%%ue #7"), d("Iss%%ues 12"), d("in this ses%%sion"), d("Ses%%sions ran"), d("a later ses%%sion continues"), d("on the da%%y of the run"),
        d("measured on this mach%%ine"), d("on this 2-core mach%%ine"), d("these mach%%ines are shared"), d("the track%%er's number"))) {
      assertFalse(developmentWords(bad).isEmpty(), "not caught: " + bad);
    }
    for (String good : List.of(d("a Flink 1.19 ses%%sion cluster"), d("a ses%%sion-cluster test"), d("FlinkSes%%sionCluster.start()"),
        d("ses%%sion clusters"), d("ses%%sionCluster"), d("nonst%%op 20 epochs"), d("the tiss%%ue 4"), d("flink st%%op"), d("st%%op the cluster"),
        d("a st%%opwatch 20 s"), "the day before", d("on a two-core mach%%ine"), d("other mach%%ines render differently"),
        d("a track%%er of metrics"))) {
      assertEquals(List.of(), developmentWords(good), "wrongly caught: " + good);
    }
    assertEquals(List.of(), developmentWords(d("a run on a local ses%%sion"), " * cluster of separate JVMs"));
    assertEquals(1, developmentWords(d("what this ses%%sion measured"), " * cluster").size());
  }

  @Test
  void pathMentionsAreRecognisedWithoutTemplatesOrUrls() {
    assertEquals(List.of("ram.md", "docs/algorithm.md", "configs/geneval.yaml", "model/src/main/java/ram/model/RamLoss.java"),
        mentions("see ram.md section 3, docs/algorithm.md, `configs/geneval.yaml` and model/src/main/java/ram/model/RamLoss.java."));
    assertEquals(List.of(), mentions("outputs/<run>/config.yaml, https://example.org/a/README.md, $HOME/a.md, a.md5"));
    assertEquals(List.of("../shared/docs/stack.md"), mentions("(see ../shared/docs/stack.md for why)"));
    Matcher m = MARKDOWN_LINK.matcher("[guide](docs/guide.md#top) and ![grid](docs/model/x.png \"title\")");
    assertTrue(m.find());
    assertEquals("docs/guide.md#top", m.group(1));
    assertTrue(m.find());
    assertEquals("docs/model/x.png", m.group(1));
  }

  @Test
  void aPlantedRepositoryReportsEachOffenderByFileAndLine(@TempDir Path tmp) throws IOException {
    Path root = Files.createDirectories(tmp.resolve("repo"));
    Files.writeString(root.resolve("pom.xml"), "<project/>\n");
    Files.writeString(root.resolve("ram"), d("#!/bin/sh\n# measured on this mach%%ine\n"));
    Files.createDirectories(root.resolve("docs/research"));
    Files.writeString(root.resolve("docs/algorithm.md"), "# Algorithm\n");
    Files.writeString(root.resolve("README.md"),
        d("# ram\nSee [the algorithm](docs/algorithm.md) and [gone](docs/gone.md).\nA Flink ses%%sion cluster.\nram.md section 3\n"));
    Files.writeString(root.resolve("docs/research/page.md"),
        d("Back to [algorithm](../algorithm.md#loss).\nst%%op 20 measured it.\nOutside: [x](../../../escape.md)\n"));
    Files.writeString(tmp.resolve("escape.md"), "exists, but outside the repository\n");
    Files.createDirectories(root.resolve("src/a"));
    Files.writeString(root.resolve("src/a/A.java"),
        d("/** As docs/algorithm.md says (iss%%ue 5). */\nclass A { String s = \"configs/missing.yaml\"; }\n// docs/old.md\n"));
    Files.createDirectories(root.resolve("target"));
    Files.writeString(root.resolve("target/Skipped.md"), d("this ses%%sion\n"));

    List<String> offenders = new ArrayList<>();
    for (Path file : textFiles(root)) {
      offenders.addAll(offenders(root, file));
    }
    assertEquals(List.of(
        "README.md:2: dead link: docs/gone.md",
        "README.md:4: dead path mention: ram.md",
        d("docs/research/page.md:2: a numbered work step: \"st%%op 20\""),
        "docs/research/page.md:3: dead link: ../../../escape.md",
        d("ram:2: 'this mach%%ine': \"this mach%%ine\""),
        d("src/a/A.java:1: an iss%%ue number: \"iss%%ue 5\""),
        "src/a/A.java:3: dead path mention: docs/old.md"), offenders.stream().sorted().toList());
  }

  /** The repository root: {@code ram.repo} or {@code ram.home} where it holds {@code ram} and {@code pom.xml}, else the first such parent of the working directory. */
  static Path repositoryRoot() {
    for (String property : List.of("ram.repo", "ram.home")) {
      String value = System.getProperty(property);
      if (value != null && isRoot(Path.of(value))) {
        return Path.of(value).toAbsolutePath().normalize();
      }
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (isRoot(p)) {
        return p;
      }
    }
    throw new IllegalStateException("no directory holding both ram and pom.xml above " + Path.of("").toAbsolutePath());
  }

  private static boolean isRoot(Path p) {
    return Files.isRegularFile(p.resolve("ram")) && Files.isRegularFile(p.resolve("pom.xml"));
  }

  /** The text files the rules read, sorted, skipping build and run outputs. */
  static List<Path> textFiles(Path root) {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(root, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
          return !dir.equals(root) && SKIPPED_DIRECTORIES.contains(dir.getFileName().toString())
              ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && isChecked(root.relativize(file))) {
            files.add(file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.sort(null);
    return files;
  }

  private static boolean isChecked(Path relative) {
    String path = relative.toString().replace('\\', '/');
    String ext = extension(path);
    if (path.equals(SELF)) {
      return false;
    }
    if (path.equals("ram") || path.startsWith(".ci/") || relative.getFileName().toString().equals("pom.xml")
        || EVERYWHERE.contains(ext)) {
      return true;
    }
    boolean textTree = path.startsWith("docs/") || path.startsWith("configs/") || path.startsWith("experiments/");
    return textTree && TEXT_EXTENSIONS.contains(ext);
  }

  private static String extension(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1);
  }

  /** Every offence of one file, as {@code relative/path:line: what}. */
  static List<String> offenders(Path root, Path file) {
    String relative = root.relativize(file).toString().replace('\\', '/');
    boolean markdown = relative.endsWith(".md");
    boolean java = relative.endsWith(".java");
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of(relative + ": unreadable as UTF-8 text: " + e.getMessage());
    }
    List<String> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      String where = relative + ":" + (i + 1) + ": ";
      String next = i + 1 < lines.size() ? lines.get(i + 1) : "";
      for (String word : developmentWords(line, next)) {
        found.add(where + word);
      }
      if (markdown) {
        Matcher link = MARKDOWN_LINK.matcher(line);
        while (link.find()) {
          String target = link.group(1);
          if (isLocal(target) && !exists(root, file, target.replaceAll("#.*$", ""))) {
            found.add(where + "dead link: " + target);
          }
        }
      }
      String prose = markdown ? MARKDOWN_LINK.matcher(line).replaceAll("[]") : line;
      for (String mention : mentions(prose)) {
        boolean checked = java ? mention.endsWith(".md") : (mention.contains("/") || mention.endsWith(".md"));
        if (checked && !mention.startsWith("outputs/") && !exists(root, file, mention)) {
          found.add(where + "dead path mention: " + mention);
        }
      }
    }
    return found;
  }

  /** The development words of one line, each as {@code rule: "match"}. */
  static List<String> developmentWords(String line) {
    return developmentWords(line, "");
  }

  /**
   * The development words that start on {@code line}, read on into the first word of the next
   * line, so that a phrase wrapped across two lines is judged whole.
   */
  static List<String> developmentWords(String line, String nextLine) {
    String continued = line + " " + nextLine.replaceFirst("^[\\s*/#>-]*", "").replaceFirst("\\s.*$", "");
    List<String> found = new ArrayList<>();
    for (Rule rule : DEVELOPMENT_WORDS) {
      Matcher m = rule.pattern().matcher(continued);
      while (m.find() && m.start() < line.length()) {
        found.add(rule.name() + ": \"" + m.group().strip() + "\"");
      }
    }
    return found;
  }

  /** The markdown, YAML and Java path mentions of one line. */
  static List<String> mentions(String line) {
    List<String> found = new ArrayList<>();
    Matcher m = PATH_MENTION.matcher(line);
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  private static boolean isLocal(String target) {
    return !(target.startsWith("#") || target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*"));
  }

  /** Whether a mentioned path exists beside the file, at the root, or under docs/ (bare page names). */
  private static boolean exists(Path root, Path file, String path) {
    if (path.isEmpty()) {
      return true;
    }
    List<Path> candidates = new ArrayList<>(List.of(file.getParent().resolve(path).normalize(), root.resolve(path).normalize()));
    if (!path.contains("/")) {
      candidates.add(root.resolve("docs").resolve(path));
    }
    return candidates.stream().anyMatch(p -> p.startsWith(root) && Files.exists(p));
  }
}
