package ram.runners.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import ram.config.ConfigKeys;
import ram.runners.store.Rescore;

/**
 * {@code ram rescore <run directory | epoch directory | samples path> --reward NAME[,NAME]}: scores
 * stored samples with a reward ({@link Rescore}); runner keys override configs/store.yaml.
 */
@Command(name = "rescore", description = "score stored samples with a reward; writes rewards-NAME/ beside the stored rewards")
final class RescoreCommand implements Callable<Integer>, ConfigOverrides.Target {

  @ParentCommand private Main ram;

  @Parameters(paramLabel = "<run or samples>", description = "a run directory, an epoch directory or a samples path")
  private Path path;

  @Option(names = "--reward", required = true, paramLabel = "NAME[,NAME]", description = "the reward(s) to score with, e.g. ocr")
  private String rewards;

  private final Map<String, String> overrides = new LinkedHashMap<>();

  @Override
  public Map<String, String> overrides() {
    return overrides;
  }

  @Override
  public boolean reads(ConfigKeys.Key key) {
    return key.section() == ConfigKeys.Section.RUNTIME && !key.name().equals("output_dir"); // the runner keys of configs/store.yaml
  }

  @Override
  public Integer call() {
    Rescore.run(path, List.of(rewards.split(",")), ConfigFiles.store(overrides, ram.home()), ram.out());
    return 0;
  }
}
