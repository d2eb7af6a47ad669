package ram.runners.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import ram.config.ConfigException;
import ram.config.RunConfig;

/**
 * The {@code <config>} argument of a command: a path to a YAML file, or a name looked up as
 * {@code configs/<name>.yaml}, then {@code configs/pretrain/<name>.yaml} (the pretraining chain).
 */
public final class ConfigFiles {

  /** The pretraining chain's configs: a name not in configs/ is looked up here. */
  public static final String PRETRAIN_CONFIGS = "pretrain";

  /** What a {@code <config>} parameter takes, for {@code --help}. */
  static final String DESCRIPTION = "a name in configs/ (e.g. toy2d) or configs/pretrain/ (e.g. base_stage1), or a path to a YAML file";

  private ConfigFiles() {}

  /** The config {@code nameOrPath} with {@code overrides} (key to raw value) applied, checked by {@link RunConfig#load}. */
  static RunConfig load(String nameOrPath, Map<String, String> overrides, Path home) {
    Path file = Path.of(nameOrPath);
    if (!nameOrPath.endsWith(".yaml") && !nameOrPath.endsWith(".yml")) {
      Path configs = home.resolve("configs");
      file = configs.resolve(nameOrPath + ".yaml");
      Path pretrain = configs.resolve(PRETRAIN_CONFIGS).resolve(nameOrPath + ".yaml");
      if (!Files.isRegularFile(file) && Files.isRegularFile(pretrain)) {
        file = pretrain;
      }
    }
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config " + file + " not found; configs/ and configs/pretrain/ have: " + available(home));
    }
    return RunConfig.load(file, overrides);
  }

  /** The runner settings of the store commands: configs/store.yaml with {@code overrides} applied. */
  static RunConfig store(Map<String, String> overrides, Path home) {
    return RunConfig.load(home.resolve("configs/store.yaml"), overrides);
  }

  /** The config names of configs/ and, after them, of configs/pretrain/. */
  private static String available(Path home) {
    Path configs = home.resolve("configs");
    if (!Files.isDirectory(configs)) {
      return "(no configs directory at " + home + ")";
    }
    List<String> names = new ArrayList<>(yamlNames(configs));
    names.addAll(yamlNames(configs.resolve(PRETRAIN_CONFIGS)));
    return String.join(", ", names);
  }

  /** The names of the YAML files in {@code dir}, sorted; none where it cannot be listed. */
  private static List<String> yamlNames(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.replaceFirst("\\.yaml$", ""))
          .sorted().toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
