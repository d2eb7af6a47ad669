package ram.runners.store;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

import ram.config.ConfigException;
import ram.config.RunConfig;
import ram.pipelines.RescorePipeline;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardSettings;
import ram.runners.cluster.Runners;
import ram.runners.train.RunDirectory;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.transforms.FaultInjection;
import ram.transforms.ParquetRecords;

/**
 * {@code ram rescore <run directory | epoch directory | samples path> --reward NAME[,NAME]}:
 * scores stored samples with a reward, also one they were never scored with, in one Beam
 * pipeline, without a model. Each unit's rewards land in {@code rewards-<name>/} beside the
 * rewards stored when it was sampled; a rerun replaces them with identical files. Runs only on
 * a store ram wrote (a run or an evaluation directory), under its {@link WriterLock}; every
 * unit's new rewards are staged first and published together ({@link PublishJournal}).
 */
public final class Rescore {

  private Rescore() {}

  /**
   * Scores the samples under {@code path} with each of {@code rewards}, on the runner of {@code runner}.
   * The rewards' settings are those {@code runner} sets (configs/store.yaml and the command line),
   * else those of the run's own {@code config.yaml} where the store is a run, else their defaults;
   * paths resolve against {@code home}.
   */
  public static void run(Path path, List<String> rewards, RunConfig runner, Path home, PrintStream out) {
    for (String r : rewards) {
      if (!RewardRegistry.names().contains(r)) {
        throw new ConfigException("rescore: " + RewardRegistry.unknown(r));
      }
    }
    List<SampleStore.Unit> units = SampleStore.resolve(path);
    int samples = 0;
    for (SampleStore.Unit u : units) {
      for (Path f : u.samples()) {
        samples += ParquetRecords.readAs(f.toString(), Sample.class).size(); // a bad file fails here, by name
      }
    }
    out.printf("rescore %d samples in %d unit(s) of %s with %s on %s%n", samples, units.size(), path, rewards,
        runner.runtime().runner());

    Path store = OwnedDirectory.ownerOf(units.get(0).dir(), Set.of(OwnedDirectory.Kind.RUN, OwnedDirectory.Kind.EVALUATION))
        .orElseThrow(() -> new ConfigException("rescore: " + path.toAbsolutePath().normalize() + " is not inside a run or evaluation "
            + "directory that ram wrote (no " + OwnedDirectory.MARKER + " above it); rescore writes rewards-NAME/ beside the samples "
            + "only there"));
    RunConfig withRunSettings = Files.isRegularFile(store.resolve("config.yaml"))
        ? runner.withDefaultsFrom(RunConfig.readResolved(store.resolve("config.yaml"), "run")) : runner;
    RewardSettings settings = withRunSettings.rewardSettings(home);
    for (String r : rewards) {
      try {
        RewardRegistry.create(r, settings).close(); // settings it cannot score with fail here, before anything is written
      } catch (IllegalArgumentException e) {
        throw new ConfigException("rescore: " + e.getMessage());
      }
    }
    try (WriterLock lock = WriterLock.acquire(store, "rescore")) {
      RunDirectory.removeDebris(store);
      rescore(store, units, rewards, runner, settings, samples, out);
    }
  }

  private static void rescore(Path store, List<SampleStore.Unit> units, List<String> rewards, RunConfig runner, RewardSettings settings,
      int samples, PrintStream out) {
    for (String reward : rewards) {
      for (SampleStore.Unit u : units) {
        OwnedDirectory.requireClaimable(u.rescoreDir(reward), OwnedDirectory.Kind.RESCORE, "rescore"); // not one copied in by hand
      }
    }
    long t0 = System.nanoTime();
    Pipeline p = Pipeline.create(Runners.options(runner, "ram-rescore", null));
    List<PublishJournal.Move> moves = new ArrayList<>();
    for (String reward : rewards) {
      List<RescorePipeline.Source> sources = new ArrayList<>();
      for (SampleStore.Unit u : units) {
        Path target = u.rescoreDir(reward);
        Path staged = OwnedDirectory.claim(target.resolveSibling(target.getFileName() + ".staging"), OwnedDirectory.Kind.RESCORE,
            "rescore");
        sources.add(new RescorePipeline.Source(reward + "-" + u.dir().getFileName(), SampleStore.uris(u.samples()), staged.toString()));
        moves.add(new PublishJournal.Move(staged, target, target.resolveSibling(target.getFileName() + ".old")));
      }
      RescorePipeline.build(p, sources, reward, settings);
    }
    PipelineResult.State state = Runners.runToEnd(p);
    if (state != PipelineResult.State.DONE) {
      throw new IllegalStateException("the rescore pipeline ended in state " + state);
    }
    FaultInjection.reach("rescore-commit", 0);
    PublishJournal.publish(store, moves, step -> FaultInjection.reach("rescore-publish", step));
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (String reward : rewards) {
      double sum = 0;
      int scored = 0;
      int failed = 0;
      for (SampleStore.Unit u : units) {
        for (Path f : SampleStore.parquetIn(u.rescoreDir(reward))) {
          for (Reward r : ParquetRecords.readAs(f.toString(), Reward.class)) {
            if (r.getValue() != null) {
              sum += r.getValue();
              scored++;
            } else {
              failed++;
            }
          }
        }
      }
      out.printf("RESULT rescore_%s_mean=%.6f%n", reward, scored == 0 ? Double.NaN : sum / scored);
      out.printf("RESULT rescore_%s_scored=%d%n", reward, scored);
      out.printf("RESULT rescore_%s_failed=%d%n", reward, failed);
    }
    out.printf("RESULT rescore_samples_per_second=%.1f%n", samples * rewards.size() / seconds);
    out.printf("wrote rewards-%s/ beside the rewards of %d unit(s) in %.1f s%n", String.join(",", rewards), units.size(), seconds);
  }
}
