package ram.runners.pretrain;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import ram.config.ConfigException;
import ram.config.PretrainSettings;
import ram.config.RunConfig;
import ram.model.Checkpoint;
import ram.model.Networks;
import ram.model.ToyRingData;
import ram.model.TrainingData;
import ram.model.VelocityNetwork;
import ram.runners.store.OwnedDirectory;
import ram.runners.store.WriterLock;
import ram.runners.train.GitInfo;
import ram.runners.train.RunDirectory;
import ram.transforms.FaultInjection;

/**
 * {@code ram pretrain <config>}: trains the base model by flow matching on the task's synthetic
 * data ({@link PretrainingLoop}, resumable in {@code pretrain_dir} when the config names one) and
 * writes its EMA weights, with their provenance, to the config's {@code base_checkpoint}.
 */
public final class Pretrain {

  private Pretrain() {}

  /** The task of the image base model: both synthetic worlds, rendered on the fly. */
  static final String MIXTURE = "mixture";

  /** A task's pretraining data and how a base's provenance describes it. */
  record TaskData(TrainingData data, String description) {}

  static TaskData dataFor(RunConfig config, Path home) {
    String task = config.taskName();
    if (task.equals("toy2d")) {
      return new TaskData(new ToyRingData(), "eight Gaussian modes on a ring of radius " + ToyRingData.RADIUS + ", std "
          + ToyRingData.STD);
    }
    if (task.equals(MIXTURE)) {
      WorldMixtureData.Words words = WorldMixtureData.Words.parse(config.pretraining().words());
      return new TaskData(WorldMixtureData.load(home, config.pretraining().shapesShare(), words),
          "ground-truth renders of prompts/geneval/train.jsonl and "
              + (words == WorldMixtureData.Words.FRESH ? "fresh random words (none of prompts/ocr/test.jsonl)" : "prompts/ocr/train.jsonl")
              + ", shapes share " + config.pretraining().shapesShare());
    }
    throw new ConfigException("no pretraining data for task '" + task + "'; known: toy2d, " + MIXTURE);
  }

  /** Pretrains the config's base and writes it to {@code base_checkpoint}; returns that directory. */
  public static Path run(RunConfig config, Path home, PrintStream out) {
    requireReplaceable(RunConfig.resolve(config.model().baseCheckpoint(), home));
    if (config.pretraining().dir() == null) {
      return train(config, home, null, out);
    }
    Path dir = OwnedDirectory.claim(RunConfig.resolve(config.pretraining().dir(), home), OwnedDirectory.Kind.PRETRAINING, "pretrain_dir");
    try (WriterLock lock = WriterLock.acquire(dir, "pretrain " + config.name())) {
      RunDirectory.removeDebris(dir);
      Checkpoint.removeLeftovers(dir.resolve(PretrainingLoop.STATE));
      return train(config, home, dir, out);
    }
  }

  /**
   * Refuses a {@code base_checkpoint} target that exists and is not a base checkpoint ram wrote
   * (it would be replaced), before any step runs; clears what a crashed earlier write left beside it.
   */
  static void requireReplaceable(Path target) {
    if (Files.exists(target)) {
      boolean empty;
      try (var s = Files.list(target)) {
        empty = s.findAny().isEmpty();
      } catch (java.io.IOException e) {
        throw new ConfigException("base_checkpoint " + target + ": exists and is not a readable directory (" + e.getMessage() + ")");
      }
      String kind = null;
      if (!empty) {
        try {
          kind = Checkpoint.manifest(Checkpoint.readDirectory(target), target.toString()).get("kind").getAsString();
        } catch (RuntimeException e) {
          kind = null;
        }
      }
      if (!empty && !"base".equals(kind)) {
        throw new ConfigException("base_checkpoint " + target + ": exists and is not a base checkpoint written by ram pretrain "
            + "(no manifest.json of kind base); pretraining would replace it: choose another base_checkpoint");
      }
    }
    Checkpoint.removeLeftovers(target);
  }

  /** Runs the loop (in {@code dir}, or in memory when it is null), then writes the EMA weights with their provenance. */
  private static Path train(RunConfig config, Path home, Path dir, PrintStream out) {
    VelocityNetwork network = Networks.create(config.model().architecture());
    TaskData data = dataFor(config, home);
    long t0 = System.nanoTime();
    PretrainingLoop.Result result = new PretrainingLoop(config, home, network, data.data(), out).run(dir);
    PretrainSettings settings = config.pretraining();
    Map<String, Object> provenance = new TreeMap<>();
    provenance.put("config", config.name());
    provenance.put("resolved_config", config.values().toString());
    provenance.put("task", config.taskName());
    provenance.put("data", data.description());
    provenance.put("seed", settings.seed());
    provenance.put("steps", result.state().epoch());
    provenance.put("batch_size", settings.batchSize());
    provenance.put("learning_rate", settings.learningRate());
    provenance.put("schedule", LearningRateSchedule.parse(settings.schedule()).describe(settings.warmupSteps()));
    provenance.put("weights", settings.emaDecay() == 0 ? "the last step's" : "EMA, decay " + settings.emaDecay());
    provenance.put("parameters", result.state().ema().size());
    provenance.put("final_loss", result.finalLoss());
    provenance.put("seconds", (System.nanoTime() - t0) / 1e9); // of this command, which resumed after step resumed_after
    if (result.resumedAfter() > 0) {
      provenance.put("resumed_after", result.resumedAfter());
    }
    provenance.put("commit", GitInfo.commit(home));
    if (settings.init() != null) { // continued pretraining: keep the parent's provenance
      Path init = RunConfig.resolve(settings.init(), home);
      provenance.put("init", Checkpoint.verify(Checkpoint.readDirectory(init), init.toString()).get("provenance"));
    }
    Path target = RunConfig.resolve(config.model().baseCheckpoint(), home);
    Checkpoint.writeDirectory(target, Checkpoint.encodeBase(result.state().ema(), network.architecture(), provenance),
        () -> FaultInjection.reach("pretrain-write", 0));
    out.printf("RESULT pretrain_final_loss=%.4f%n", result.finalLoss());
    out.printf("wrote base checkpoint %s%n", target);
    return target;
  }
}
