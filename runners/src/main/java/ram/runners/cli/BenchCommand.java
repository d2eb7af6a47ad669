package ram.runners.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import ram.config.ConfigException;
import ram.config.RunConfig;
import ram.runners.bench.Bench;
import ram.runners.cluster.Runners;

/**
 * {@code ram bench pipeline|pipelines|rewards|model|train|update [<config>] | bench <config>}: measurements
 * printed as {@code BENCH} and {@code RESULT} lines ({@link Bench}); each named bench has a default config
 * ({@code update}: three, the shipped base fully and by LoRA, and the TorchScript fixture).
 */
@Command(name = "bench", description = {"fixed costs, throughputs and epoch time by stage",
    "  pipeline   the fixed cost of one pipeline on the config's runner (default config: toy2d)",
    "  rewards    images per second of each reward",
    "  model      the image base's sampling and RAM-update throughput vs. the matmul peak (base); on a",
    "             TorchScript port of a built-in network (torchscript_base): both engines side by side",
    "  pipelines  rescore and export throughput (samples/s) per reward and format (store)",
    "  train      epoch time by stage at parallelism 1 and 2, embedded and on a cluster (geneval)",
    "  update     bytes an optimizer step writes, reads and copies into the engine, and its seconds",
    "             (geneval full, geneval with finetune: lora, torchscript_image; or the <config> given)",
    "  <config>   epoch time by stage and pipeline overhead, Flink and Direct"})
final class BenchCommand extends OverridingCommand {

  /** The config each named bench measures unless one is given. */
  private static final Map<String, String> DEFAULT_CONFIG = Map.of("pipeline", "toy2d", "pipelines", "store", "rewards", "toy2d",
      "model", "base", "train", "geneval", "update", "geneval");
  /** The variants {@code bench update} measures without a config, in one run: full fine-tuning, LoRA, a TorchScript model. */
  private static final List<String> UPDATE_VARIANTS = List.of("geneval", "geneval+lora", "torchscript_image");

  @Parameters(index = "0", paramLabel = "<what>", description = "pipeline, pipelines, rewards, model, train, update, or a <config> (see above)")
  private String what;

  @Parameters(index = "1", arity = "0..1", paramLabel = "<config>", description = "the config a named bench measures: " + ConfigFiles.DESCRIPTION)
  private String config;

  @Override
  public Integer call() {
    boolean named = DEFAULT_CONFIG.containsKey(what);
    if (!named && config != null) {
      throw new ConfigException("bench: '" + what + "' is not a bench (pipeline, pipelines, rewards, model, train, update) "
          + "and a config comes only after one; got '" + config + "' as well");
    }
    RunConfig resolved = ConfigFiles.load(!named ? what : config != null ? config : DEFAULT_CONFIG.get(what), overrides, ram.home());
    Runners.selectDevice(resolved);
    if (!resolved.has("pretrain_steps") || resolved.has("rewards")) { // a post-training or store config: its pipeline workers
      Runners.configureEngineThreads(resolved.runtime().parallelism());
    } else {
      Runners.configureEngineThreadsUnlessSet(1); // bench model on a pretraining config: one process with every core, as pretraining
    }
    if (what.equals("update")) {
      List<RunConfig> configs = new ArrayList<>();
      for (String variant : config != null ? List.of(config) : UPDATE_VARIANTS) {
        Map<String, String> with = new LinkedHashMap<>(overrides);
        if (variant.endsWith("+lora")) {
          with.put("finetune", "lora");
        }
        configs.add(ConfigFiles.load(variant.replace("+lora", ""), with, ram.home()));
      }
      Bench.update(configs, ram.out());
      return 0;
    }
    Bench.run(what, resolved, ram.out());
    return 0;
  }
}
