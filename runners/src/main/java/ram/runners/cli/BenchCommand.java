package ram.runners.cli;

import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import ram.config.ConfigException;
import ram.config.RunConfig;
import ram.runners.bench.Bench;
import ram.runners.cluster.Runners;

/**
 * {@code ram bench pipeline|pipelines|rewards|model|train [<config>] | bench <config>}: measurements
 * printed as {@code BENCH} and {@code RESULT} lines ({@link Bench}); each named bench has a default config.
 */
@Command(name = "bench", description = {"fixed costs, throughputs and epoch time by stage",
    "  pipeline   the fixed cost of one pipeline on the config's runner (default config: toy2d)",
    "  rewards    images per second of each reward",
    "  model      the image base's sampling and RAM-update throughput vs. the matmul peak (base); on a",
    "             TorchScript port of a built-in network (torchscript_base): both engines side by side",
    "  pipelines  rescore and export throughput (samples/s) per reward and format (store)",
    "  train      epoch time by stage at parallelism 1 and 2, embedded and on a cluster (geneval)",
    "  <config>   epoch time by stage and pipeline overhead, Flink and Direct"})
final class BenchCommand extends OverridingCommand {

  /** The config each named bench measures unless one is given. */
  private static final Map<String, String> DEFAULT_CONFIG = Map.of("pipeline", "toy2d", "pipelines", "store", "rewards", "toy2d",
      "model", "base", "train", "geneval");

  @Parameters(index = "0", paramLabel = "<what>", description = "pipeline, pipelines, rewards, model, train, or a <config> (see above)")
  private String what;

  @Parameters(index = "1", arity = "0..1", paramLabel = "<config>", description = "the config a named bench measures: " + ConfigFiles.DESCRIPTION)
  private String config;

  @Override
  public Integer call() {
    boolean named = DEFAULT_CONFIG.containsKey(what);
    if (!named && config != null) {
      throw new ConfigException("bench: '" + what + "' is not a bench (pipeline, pipelines, rewards, model, train) "
          + "and a config comes only after one; got '" + config + "' as well");
    }
    RunConfig resolved = ConfigFiles.load(!named ? what : config != null ? config : DEFAULT_CONFIG.get(what), overrides, ram.home());
    Runners.selectDevice(resolved);
    if (!resolved.has("pretrain_steps") || resolved.has("rewards")) { // a post-training or store config: its pipeline workers
      Runners.configureEngineThreads(resolved.runtime().parallelism());
    } else {
      Runners.configureEngineThreadsUnlessSet(1); // bench model on a pretraining config: one process with every core, as pretraining
    }
    Bench.run(what, resolved, ram.out());
    return 0;
  }
}
