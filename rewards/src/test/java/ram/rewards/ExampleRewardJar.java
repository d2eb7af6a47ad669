package ram.rewards;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a user's reward jar at test time, as docs/your-reward.md tells a user to: the Java source
 * of the doc's example (or any source), compiled against the rewards module with the JDK's
 * compiler, its classes and a {@code META-INF/services/ram.rewards.RewardProvider} file put into a
 * jar of its own, outside every class path of the build.
 */
public final class ExampleRewardJar {

  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern SERVICE_LINE = Pattern.compile("(?m)^([a-z][a-z0-9_.]*\\.[A-Z]\\w*\\$\\w+)$");

  private ExampleRewardJar() {}

  /** The doc's example source: its one Java block. */
  public static String docSource() throws IOException {
    String doc = Files.readString(TestFiles.repo().resolve("docs/your-reward.md"));
    Matcher m = JAVA_BLOCK.matcher(doc);
    if (!m.find()) {
      throw new IllegalStateException("docs/your-reward.md has no java block");
    }
    String source = m.group(1);
    if (m.find()) {
      throw new IllegalStateException("docs/your-reward.md has more than one java block");
    }
    return source;
  }

  /** The provider line the doc's services file holds. */
  public static String docServiceLine() throws IOException {
    Matcher m = SERVICE_LINE.matcher(Files.readString(TestFiles.repo().resolve("docs/your-reward.md")));
    if (!m.find()) {
      throw new IllegalStateException("docs/your-reward.md names no provider class");
    }
    return m.group(1);
  }

  /** The doc's example reward as a jar in {@code dir}. */
  public static Path buildDocExample(Path dir) throws IOException {
    return build(dir, "brightness.jar", List.of(docSource()), List.of(docServiceLine()));
  }

  /**
   * Compiles {@code sources} (each a whole compilation unit) against the rewards module and jars
   * the classes with a services file listing {@code providers}.
   */
  public static Path build(Path dir, String jarName, List<String> sources, List<String> providers) throws IOException {
    Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
    Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
    List<String> args = new ArrayList<>(List.of("--release", "17", "-classpath", rewardsClasses().toString(), "-d",
        classes.toString()));
    for (String source : sources) {
      Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(source);
      Matcher type = Pattern.compile("(?m)^public (?:final )?(?:class|interface|record) (\\w+)").matcher(source);
      if (!pkg.find() || !type.find()) {
        throw new IllegalArgumentException("a source needs a package and a public type");
      }
      Path file = src.resolve(pkg.group(1).replace('.', '/')).resolve(type.group(1) + ".java");
      Files.createDirectories(file.getParent());
      Files.writeString(file, source);
      args.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int code = javac.run(null, errors, errors, args.toArray(String[]::new));
    if (code != 0) {
      throw new IllegalStateException("javac failed (" + code + "): " + errors);
    }
    Path jar = dir.resolve(jarName);
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> walk = Files.walk(classes)) {
      for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/" + RewardProvider.class.getName()));
      out.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }

  /** Where the rewards module's classes are (target/classes under Maven). */
  public static Path rewardsClasses() {
    try {
      return Path.of(RewardProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
