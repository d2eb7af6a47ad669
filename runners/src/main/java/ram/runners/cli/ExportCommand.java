package ram.runners.cli;

import java.nio.file.Path;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import ram.config.ConfigException;
import ram.config.ConfigKeys;
import ram.runners.store.Export;
import ram.transforms.ExportTable;

/**
 * {@code ram export <run directory | samples path> --to DIR [--format F] [--epochs 3..7]
 * [--min_reward NAME=VALUE]}: stored samples with their rewards and advantages as a dataset
 * ({@link Export}); runner keys override configs/store.yaml.
 */
@Command(name = "export", description = "samples with rewards and advantages as parquet, csv, jsonl or imagefolder")
final class ExportCommand extends OverridingCommand {

  @Parameters(paramLabel = "<run or samples>", description = "a run directory, an epoch directory or a samples path")
  private Path source;

  @Option(names = "--to", required = true, paramLabel = "DIR",
      description = "the directory to write (new, empty or an earlier export), e.g. exports/geneval")
  private Path to;

  @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|csv|jsonl|imagefolder",
      description = "the table's format; imagefolder is the Hugging Face datasets layout (default: ${DEFAULT-VALUE})")
  private String format;

  @Option(names = "--epochs", paramLabel = "RANGE", description = "only these epochs: N, A..B, A.. or ..B (default: all)")
  private String epochs;

  @Option(names = "--min_reward", paramLabel = "NAME=VALUE", description = "only samples whose reward NAME is at least VALUE, e.g. ocr=0.5")
  private String minReward;

  @Override
  public boolean reads(ConfigKeys.Key key) {
    return runnerKey(key);
  }

  @Override
  public Integer call() {
    ExportTable.Format parsed;
    try {
      parsed = ExportTable.Format.parse(format);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("export: --format: " + e.getMessage());
    }
    Export.run(source, to.toAbsolutePath().normalize(), parsed, epochs, minReward, ConfigFiles.store(overrides, ram.home()), ram.out());
    return 0;
  }
}
