package ram.runners.cli;

import java.nio.file.Path;
import java.util.Set;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import ram.config.ConfigException;
import ram.config.ConfigKeys;
import ram.runners.train.Evaluation;

/**
 * {@code ram evaluate --checkpoint <run>/latest | --model base | <config>}: the held-out
 * evaluation of a run's checkpoint (with the config beside it) or of a config's base
 * ({@link Evaluation}); config keys override the evaluation's settings.
 */
@Command(name = "evaluate", description = "sample held-out prompts with fixed seeds, score, print RESULT lines")
final class EvaluateCommand extends OverridingCommand {

  /** The keys outside the evaluation and runtime sections that the evaluation reads. */
  private static final Set<String> READ = Set.of("base_checkpoint", "cfg_scale", "time_shift");

  @Option(names = "--checkpoint", paramLabel = "DIR",
      description = "a run's <run>/latest, an epoch directory or a checkpoint directory; its run's config.yaml is read")
  private Path checkpoint;

  @Option(names = "--model", paramLabel = "base", description = "base: the shipped image base (the config base, configs/pretrain/base.yaml)")
  private String model;

  @Parameters(paramLabel = "<config>", arity = "0..1", description = "evaluate this config's base checkpoint: " + ConfigFiles.DESCRIPTION)
  private String config;

  @Option(names = "--prompts", paramLabel = "SET[,SET]",
      description = "prompt sets: names in prompts/ (test.jsonl) or .jsonl files (default: the config's task; geneval,ocr for mixture)")
  private String prompts;

  @Option(names = "--rewards", paramLabel = "NAME[,NAME]",
      description = "rewards to score with (default: the run's eval_rewards or rewards; for a base, the reward named like the set)")
  private String rewards;

  @Option(names = "--out", paramLabel = "DIR", description = "where results go (default: outputs/eval/<run>-<epoch> or outputs/eval/base)")
  private Path out;

  @Override
  public boolean reads(ConfigKeys.Key key) {
    return key.section() == ConfigKeys.Section.EVALUATION || key.section() == ConfigKeys.Section.REWARD_SETTINGS
        || READ.contains(key.name()) || runnerKey(key);
  }

  @Override
  public Integer call() {
    if (checkpoint != null && (model != null || config != null)) {
      throw new ConfigException("evaluate: give --checkpoint, --model or <config>, not more than one");
    }
    if (model != null && (!model.equals("base") || config != null)) {
      throw new ConfigException(config != null ? "evaluate: give --model or <config>, not both"
          : "evaluate: --model: expected 'base' (the shipped base model), got '" + model + "'");
    }
    Evaluation.Target target = checkpoint != null ? Evaluation.ofCheckpoint(checkpoint, overrides)
        : Evaluation.Target.base(ConfigFiles.load(config == null ? "base" : config, overrides, ram.home()), ram.home());
    Evaluation.run(target, prompts, rewards, out == null ? null : out.toAbsolutePath().normalize(), ram.home(), ram.out());
    return 0;
  }
}
