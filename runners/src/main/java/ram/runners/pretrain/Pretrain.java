package ram.runners.pretrain;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import ram.runners.train.GitInfo;
import ram.runners.store.OwnedDirectory;
import ram.runners.train.RunDirectory;
import ram.runners.store.WriterLock;
import ram.config.RunConfig;
import ram.config.ConfigException;
import ram.model.AdamW;
import ram.model.Checkpoint;
import ram.model.FlowMatchingPretrainer;
import ram.model.Networks;
import ram.model.ToyRingData;
import ram.model.TrainingData;
import ram.model.VelocityNetwork;

/**
 * {@code ram pretrain <config>}: trains the base model by flow matching on the task's synthetic
 * data and writes it, with its provenance, to the config's {@code base_checkpoint}.
 */
public final class Pretrain {

  private Pretrain() {}

  static TrainingData dataFor(String task) {
    if (task.equals("toy2d")) {
      return new ToyRingData();
    }
    throw new ConfigException("no pretraining data for task '" + task + "'; known: toy2d, " + MIXTURE);
  }

  /** The task of the image base model: both synthetic worlds, rendered on the fly. */
  static final String MIXTURE = "mixture";

  public static Path run(RunConfig config, Path home, PrintStream out) {
    requireReplaceable(RunConfig.resolve(config.model().baseCheckpoint(), home));
    if (config.taskName().equals(MIXTURE)) {
      Path dir = OwnedDirectory.claim(RunConfig.resolve(config.pretraining().dir(), home), OwnedDirectory.Kind.PRETRAINING, "pretrain_dir");
      try (WriterLock lock = WriterLock.acquire(dir, "pretrain " + config.name())) {
        RunDirectory.removeDebris(dir);
        Checkpoint.removeLeftovers(dir.resolve(ResumablePretraining.STATE));
        return runMixture(config, home, out);
      }
    }
    VelocityNetwork network = Networks.create(config.model().architecture());
    TrainingData data = dataFor(config.taskName());
    int steps = config.pretraining().steps();
    long seed = config.pretraining().seed();
    long t0 = System.nanoTime();
    FlowMatchingPretrainer trainer = new FlowMatchingPretrainer(network, AdamW.of(config.pretraining().learningRate(), 0),
        config.pretraining().batchSize(), 0);
    FlowMatchingPretrainer.Result result = trainer.train(network.initialize(seed), data, steps, seed, Math.max(1, steps / 20),
        (step, loss) -> out.printf("pretrain step %d/%d  loss %.4f  %.1fs%n", step, steps, loss, (System.nanoTime() - t0) / 1e9));
    Map<String, Object> provenance = new TreeMap<>();
    provenance.put("config", config.name());
    provenance.put("task", config.taskName());
    provenance.put("seed", seed);
    provenance.put("steps", steps);
    provenance.put("batch_size", config.pretraining().batchSize());
    provenance.put("learning_rate", config.pretraining().learningRate());
    provenance.put("final_loss", result.finalLoss());
    provenance.put("seconds", (System.nanoTime() - t0) / 1e9);
    provenance.put("commit", GitInfo.commit(home));
    if (config.pretraining().init() != null) { // continued pretraining: keep the parent's provenance
      Path init = RunConfig.resolve(config.pretraining().init(), home);
      provenance.put("init", Checkpoint.verify(Checkpoint.readDirectory(init), init.toString()).get("provenance"));
    }
    Path target = RunConfig.resolve(config.model().baseCheckpoint(), home);
    Checkpoint.writeDirectory(target, Checkpoint.encodeBase(result.parameters(), network.architecture(), provenance),
        () -> ram.transforms.FaultInjection.reach("pretrain-write", 0));
    out.printf("RESULT pretrain_final_loss=%.4f%n", result.finalLoss());
    out.printf("wrote base checkpoint %s%n", target);
    return target;
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

  /**
   * The image base: resumable pretraining in {@code pretrain_dir} (see {@link ResumablePretraining}),
   * then the EMA weights written to {@code base_checkpoint} with their provenance.
   */
  public static Path runMixture(RunConfig config, Path home, PrintStream out) {
    VelocityNetwork network = Networks.create(config.model().architecture());
    WorldMixtureData.Words words = WorldMixtureData.Words.parse(config.pretraining().words());
    TrainingData data = WorldMixtureData.load(home, config.pretraining().shapesShare(), words);
    long t0 = System.nanoTime();
    Path dir = RunConfig.resolve(config.pretraining().dir(), home);
    ResumablePretraining.Result result = new ResumablePretraining(config, home, network, data, out).run(dir);
    Map<String, Object> provenance = new TreeMap<>();
    provenance.put("config", config.name());
    provenance.put("resolved_config", config.values().toString());
    provenance.put("task", config.taskName());
    provenance.put("data", "ground-truth renders of prompts/geneval/train.jsonl and "
        + (words == WorldMixtureData.Words.FRESH ? "fresh random words (none of prompts/ocr/test.jsonl)" : "prompts/ocr/train.jsonl")
        + ", shapes share " + config.pretraining().shapesShare());
    provenance.put("seed", config.pretraining().seed());
    provenance.put("steps", result.state().epoch());
    provenance.put("batch_size", config.pretraining().batchSize());
    provenance.put("learning_rate", config.pretraining().learningRate());
    provenance.put("weights", "EMA, decay " + config.pretraining().emaDecay());
    provenance.put("parameters", result.state().ema().size());
    provenance.put("final_loss", result.finalLoss());
    provenance.put("seconds_this_session", (System.nanoTime() - t0) / 1e9);
    provenance.put("commit", GitInfo.commit(home));
    if (config.pretraining().init() != null) { // continued pretraining: keep the parent's provenance
      Path init = RunConfig.resolve(config.pretraining().init(), home);
      provenance.put("init", Checkpoint.verify(Checkpoint.readDirectory(init), init.toString()).get("provenance"));
    }
    Path target = RunConfig.resolve(config.model().baseCheckpoint(), home);
    Checkpoint.writeDirectory(target, Checkpoint.encodeBase(result.state().ema(), network.architecture(), provenance));
    out.printf("RESULT pretrain_final_loss=%.4f%n", result.finalLoss());
    out.printf("wrote base checkpoint %s%n", target);
    return target;
  }
}
