package ram.runners;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

import ram.rewards.RewardProvider;

/**
 * The example reward of docs/your-reward.md built as a user would: its Java block compiled against
 * the rewards module with the JDK's compiler, jarred with the services line the doc gives, in a
 * directory of the test's own, on no class path of the build.
 */
final class UserRewardJar {

  private UserRewardJar() {}

  static Path build(Path dir) throws Exception {
    String doc = Files.readString(RunConfigTest.HOME.resolve("docs/your-reward.md"));
    Matcher java = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(doc);
    Matcher service = Pattern.compile("(?m)^([a-z][a-z0-9_.]*\\.[A-Z]\\w*\\$\\w+)$").matcher(doc);
    if (!java.find() || !service.find()) {
      throw new IllegalStateException("docs/your-reward.md lacks the example's source or its services line");
    }
    String source = java.group(1);
    Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(source);
    Matcher type = Pattern.compile("(?m)^public final class (\\w+)").matcher(source);
    if (!pkg.find() || !type.find()) {
      throw new IllegalStateException("the example has no package or public class");
    }
    Path file = dir.resolve("src").resolve(pkg.group(1).replace('.', '/')).resolve(type.group(1) + ".java");
    Files.createDirectories(file.getParent());
    Files.writeString(file, source);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    Path rewards = Path.of(RewardProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    int code = ToolProvider.getSystemJavaCompiler().run(null, log, log, "--release", "17", "-classpath", rewards.toString(), "-d",
        classes.toString(), file.toString());
    if (code != 0) {
      throw new IllegalStateException("javac failed: " + log);
    }
    Path jar = dir.resolve("brightness.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> walk = Files.walk(classes)) {
      for (Path f : walk.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new JarEntry(classes.relativize(f).toString()));
        out.write(Files.readAllBytes(f));
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry("META-INF/services/" + RewardProvider.class.getName()));
      out.write((service.group(1) + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
