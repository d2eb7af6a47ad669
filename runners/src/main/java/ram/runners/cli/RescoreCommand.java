package ram.runners.cli;

import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import ram.config.ConfigKeys;
import ram.runners.store.Rescore;

/**
 * {@code ram rescore <run directory | epoch directory | samples path> --reward NAME[,NAME]}: scores
 * stored samples with a reward ({@link Rescore}); runner keys override configs/store.yaml, reward
 * settings ({@code --onnx_model m.onnx}) override those of the run's own config.
 */
@Command(name = "rescore", description = "score stored samples with a reward; writes rewards-NAME/ beside the stored rewards")
final class RescoreCommand extends OverridingCommand {

  @Parameters(paramLabel = "<run or samples>", description = "a run directory, an epoch directory or a samples path")
  private Path path;

  @Option(names = "--reward", required = true, paramLabel = "NAME[,NAME]", description = "the reward(s) to score with, e.g. ocr")
  private String rewards;

  @Override
  public boolean reads(ConfigKeys.Key key) {
    return runnerKey(key) || key.section() == ConfigKeys.Section.REWARD_SETTINGS;
  }

  @Override
  public Integer call() {
    Rescore.run(path, List.of(rewards.split(",")), ConfigFiles.store(overrides, ram.home()), ram.home(), ram.out());
    return 0;
  }
}
