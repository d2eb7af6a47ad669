package ram.runners;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

import ram.pipelines.RescorePipeline;
import ram.rewards.RewardRegistry;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.transforms.ParquetRecords;

/**
 * {@code ram rescore <run directory | epoch directory | samples path> --reward NAME[,NAME]}:
 * scores stored samples with a reward, also one they were never scored with, in one Beam
 * pipeline, without a model. Each unit's rewards land in {@code rewards-<name>/} beside the
 * rewards stored when it was sampled; a rerun replaces them with identical files.
 */
final class RescoreCommand {

  private RescoreCommand() {}

  static void run(String[] args, Path home, PrintStream out) {
    ToolArgs a = ToolArgs.parse(args, Set.of("reward"));
    Path path = Path.of(a.onePositional("rescore", "run directory or samples path"));
    List<String> rewards = List.of(a.required("rescore", "reward", "the reward to score with, e.g. --reward ocr").split(","));
    for (String r : rewards) {
      if (!RewardRegistry.names().contains(r)) {
        throw new ConfigException("rescore: " + RewardRegistry.unknown(r));
      }
    }
    RunConfig runner = a.runnerConfig(home);
    List<SampleStore.Unit> units = SampleStore.resolve(path);
    int samples = 0;
    for (SampleStore.Unit u : units) {
      for (Path f : u.samples()) {
        samples += ParquetRecords.readAs(f.toString(), Sample.class).size(); // a bad file fails here, by name
      }
    }
    out.printf("rescore %d samples in %d unit(s) of %s with %s on %s%n", samples, units.size(), path, rewards,
        runner.getString("runner"));

    long t0 = System.nanoTime();
    Pipeline p = Pipeline.create(Runners.options(runner, "ram-rescore", null));
    for (String reward : rewards) {
      List<RescorePipeline.Source> sources = new ArrayList<>();
      for (SampleStore.Unit u : units) {
        Path target = u.rescoreDir(reward);
        RunDirectory.discardDebris(target);
        sources.add(new RescorePipeline.Source(reward + "-" + u.dir().getFileName(), SampleStore.uris(u.samples()),
            partial(target).toString()));
      }
      RescorePipeline.build(p, sources, reward);
    }
    try {
      PipelineResult.State state = Runners.runToEnd(p);
      if (state != PipelineResult.State.DONE) {
        throw new IllegalStateException("the rescore pipeline ended in state " + state);
      }
    } catch (RuntimeException e) {
      for (String reward : rewards) {
        units.forEach(u -> RunDirectory.discardDebris(u.rescoreDir(reward)));
      }
      throw e;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    for (String reward : rewards) {
      double sum = 0;
      int scored = 0;
      int failed = 0;
      for (SampleStore.Unit u : units) {
        Path target = u.rescoreDir(reward);
        RunDirectory.replaceDirectory(partial(target), target);
        for (Path f : SampleStore.parquetIn(target)) {
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

  private static Path partial(Path target) {
    return target.resolveSibling(target.getFileName() + ".partial");
  }
}
