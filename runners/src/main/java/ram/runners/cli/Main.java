package ram.runners.cli;

import ram.runners.bench.Bench;
import ram.runners.store.OwnedDirectory;
import ram.runners.pretrain.Pretrain;
import ram.runners.train.RunListing;
import ram.runners.train.RunPlan;
import ram.runners.cluster.Runners;
import ram.runners.train.TrainDriver;
import ram.config.RunConfig;
import ram.config.ConfigException;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code ram} command line: {@code train}, {@code pretrain}, {@code sample}, {@code evaluate},
 * {@code bench}. Exit codes: 0 success, 2 bad input (config, arguments, files; one line
 * {@code error: ...} names what and where), 1 a failure while running (one line {@code failed: ...}
 * with the root cause and the path of a log that holds the stack trace; see {@link #writeFailureLog}).
 */
public final class Main {

  static final String USAGE = """
      usage: ./ram <command> [args]
        train <config> [--key value ...]     post-train (RAM, or Flow-GRPO for *_grpo configs), one pipeline per epoch;
                                             rerun to resume
        pretrain <config> [--key value ...]  pretrain the config's base model and write base_checkpoint
        bench pipeline [<config>] [--key v]  fixed cost of one pipeline on the config's runner
        bench rewards                        images per second of each reward
        bench model [<config>]               the image base's sampling and RAM-update throughput vs. the engine's matmul peak
        bench pipelines [--runner direct]    rescore and export throughput (samples/s) per reward and format
        bench train [<config>] [--key v]     epoch time by stage, parallelism 1 and 2, embedded and on a local cluster
        sample --prompt "..." [--checkpoint DIR] [--n 16] [--out FILE.png] [--cfg_scale w] [--steps N]
                                             sample a prompt from a checkpoint (default models/base) into a PNG grid
        evaluate --checkpoint <run>/latest | --model base | <config>  [--prompts geneval,ocr] [--rewards NAME,...]
                 [--out DIR] [--key value ...]  sample held-out prompts with fixed seeds, score, print RESULT lines
        bench <config> [--key value ...]     epoch time by stage and pipeline overhead, Flink and Direct
        compare <task> [--eval_every_steps 2] [--out DIR] [--key value ...]
                                             RAM (configs/<task>.yaml) vs Flow-GRPO (configs/<task>_grpo.yaml), same budget of
                                             optimizer steps; writes comparison.html and .png (default outputs/compare-<task>)
        rescore <run dir | samples path> --reward NAME[,NAME]
                                             score stored samples with a reward; writes rewards-NAME/ beside the old rewards
        export <run dir | samples path> --to DIR [--format parquet|csv|jsonl|imagefolder] [--epochs 3..7]
               [--min-reward NAME=VALUE]      samples joined with rewards and advantages; images as PNGs
        flink start|stop|status [--taskmanagers N] [--slots S] [--port 8081] [--bind_host 127.0.0.1]
                                             a local Flink 1.19 session cluster (separate JVMs) for --flink_master 127.0.0.1:8081
        runs [DIR]                           the runs under DIR (default outputs/): config, epochs, latest rewards, state
        validate <config> [--key value ...]  the resolved config and what train would do with it; writes nothing
        help                                 this text
      <config> is a name in configs/ (e.g. toy2d) or configs/pretrain/ (e.g. base_stage1), or a path to a YAML file.
      Any config key can be overridden: --epochs 5 --runner direct --output_dir /tmp/run. See README.md.""";

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    Path runDir = null; // where an internal error's log goes, once known
    try {
      Path home = Path.of(System.getProperty("ram.home", ".")).toAbsolutePath().normalize();
      switch (args[0]) {
        case "train" -> {
          RunConfig config = loadConfig(args, home);
          runDir = runDir(config, home);
          selectDevice(config);
          Runners.configureEngineThreads(config.runtime().parallelism());
          new TrainDriver(config, runDir, home, out).train();
        }
        case "pretrain" -> {
          RunConfig config = loadConfig(args, home);
          selectDevice(config);
          threadsUnlessSet(1);
          Pretrain.run(config, home, out);
        }
        case "sample" -> {
          threadsUnlessSet(1);
          SampleCommand.run(args, home, out);
        }
        case "evaluate" -> EvaluateCommand.run(args, home, out);
        case "bench" -> {
          if (args.length < 2) {
            throw new ConfigException("bench: missing what to measure (pipeline, rewards, model)");
          }
          String[] rest = new String[args.length - 1];
          System.arraycopy(args, 1, rest, 0, rest.length);
          boolean named = java.util.List.of("pipeline", "pipelines", "rewards", "model", "train").contains(rest[0]);
          if (!named) {
            rest = args; // bench <config> ...: the config is the second word
          } else if (rest.length < 2 || rest[1].startsWith("--")) {
            String[] withConfig = new String[rest.length + 1];
            withConfig[0] = rest[0];
            withConfig[1] = switch (rest[0]) {
              case "pipelines" -> "store";
              case "train" -> "geneval";
              case "model" -> "base";
              default -> "toy2d";
            };
            System.arraycopy(rest, 1, withConfig, 2, rest.length - 1);
            rest = withConfig;
          }
          RunConfig config = loadConfig(rest, home);
          selectDevice(config);
          if (config.has("parallelism")) {
            Runners.configureEngineThreads(config.runtime().parallelism());
          } else {
            threadsUnlessSet(1); // bench model on a pretraining config: one process with every core, as pretraining
          }
          Bench.run(args[1], config, out);
        }
        case "compare" -> CompareCommand.run(args, home, out);
        case "runs" -> {
          if (args.length > 2) {
            throw new ConfigException("runs: expected at most one directory, got " + (args.length - 1) + " arguments");
          }
          Path dir = args.length == 2 ? Path.of(args[1]).toAbsolutePath().normalize() : home.resolve("outputs");
          out.print(RunListing.table(RunListing.list(dir), dir));
        }
        case "validate" -> {
          RunConfig config = loadConfig(args, home);
          java.util.List<String> problems = new java.util.ArrayList<>();
          out.print(RunPlan.describe(config, home, runDir(config, home), problems));
          if (!problems.isEmpty()) {
            return 2;
          }
        }
        case "rescore" -> RescoreCommand.run(args, home, out);
        case "export" -> ExportCommand.run(args, home, out);
        case "flink" -> FlinkCommand.run(args, home, out);
        default -> throw new ConfigException("unknown command '" + args[0] + "'; commands: train, pretrain, sample, evaluate, "
            + "compare, rescore, export, flink, bench, help");
      }
      return 0;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("error: " + oneLine(String.valueOf(e.getMessage())));
      return 2;
    } catch (Throwable e) { // OutOfMemoryError and other Errors too: one line here, the stack trace in the log
      err.println("failed: " + failureSummary(e) + " (details: " + writeFailureLog(e, args, runDir) + ")");
      return 1;
    }
  }

  /**
   * An internal error in one line: the outermost message (what ram was doing) and the root cause's
   * (what went wrong), with the root's type unless it is a plain RuntimeException or IllegalStateException.
   */
  public static String failureSummary(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String rootText = root.getMessage() == null || root.getMessage().isBlank() ? root.getClass().getSimpleName()
        : root.getClass() == RuntimeException.class || root.getClass() == IllegalStateException.class ? root.getMessage()
        : root.getClass().getSimpleName() + ": " + root.getMessage();
    String top = e.getMessage();
    boolean ownContext = root != e && top != null && !top.isBlank() && e.getClass() == IllegalStateException.class;
    return oneLine(ownContext && !top.contains(rootText) ? top + ": " + rootText : rootText);
  }

  /**
   * Writes the full stack trace of an internal error to {@code <run dir>/logs/} when the command
   * has a run directory that ram owns ({@link OwnedDirectory}), else to {@code ${java.io.tmpdir}/ram-logs/};
   * the log is named {@code ram-<date>-<time>-<pid>.log}. Returns its path, or why there is none.
   */
  public static String writeFailureLog(Throwable e, String[] args, Path runDir) {
    java.io.StringWriter trace = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(trace));
    String text = "ram " + String.join(" ", args) + "\n" + java.time.OffsetDateTime.now() + ", Java " + Runtime.version() + "\n\n" + trace;
    String name = "ram-" + java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"))
        + "-" + ProcessHandle.current().pid() + ".log";
    Path dir = runDir != null && ownedRun(runDir) ? runDir.resolve("logs")
        : Path.of(System.getProperty("java.io.tmpdir"), "ram-logs");
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve(name), text).toAbsolutePath().toString();
    } catch (java.io.IOException | RuntimeException failed) {
      return "no log written: " + failed.getMessage();
    }
  }

  /** Whether {@code dir} is a run directory ram owns (an unreadable marker counts as not). */
  private static boolean ownedRun(Path dir) {
    try {
      return OwnedDirectory.isOwned(dir, OwnedDirectory.Kind.RUN);
    } catch (RuntimeException e) {
      return false; // an unreadable marker: the log goes to the temporary directory
    }
  }

  /** A message on one line: line breaks become spaces. */
  public static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  /** Applies the config's {@code device} (if it names one) to this process; fails early if it cannot be had. */
  static void selectDevice(RunConfig config) {
    ram.model.Devices.select(config.runtime().device());
    System.setProperty(ram.model.Devices.PROPERTY, config.runtime().device());
  }

  /** Libtorch threads for a single-process command, unless {@code -Dai.djl.pytorch.num_threads} was given. */
  private static void threadsUnlessSet(int parallelism) {
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      Runners.configureEngineThreads(parallelism);
    }
  }

  /** The run directory: {@code --output_dir} (relative to the working directory) or outputs/<config>. */
  static Path runDir(RunConfig config, Path home) {
    if (config.has("output_dir")) {
      return Path.of(config.runtime().outputDir()).toAbsolutePath().normalize();
    }
    return home.resolve("outputs").resolve(config.name());
  }

  /** The pretraining chain's configs: a name not in configs/ is looked up here. */
  public static final String PRETRAIN_CONFIGS = "pretrain";

  /**
   * The config {@code args[1]} with the {@code --key value} overrides after it: a YAML path, or a
   * name looked up as {@code configs/<name>.yaml}, then {@code configs/pretrain/<name>.yaml}.
   */
  static RunConfig loadConfig(String[] args, Path home) {
    if (args.length < 2 || args[1].startsWith("--")) {
      throw new ConfigException(args[0] + ": missing <config> (a name in configs/ or a YAML path); see ./ram help");
    }
    Path file = Path.of(args[1]);
    if (!args[1].endsWith(".yaml") && !args[1].endsWith(".yml")) {
      Path configs = home.resolve("configs");
      file = configs.resolve(args[1] + ".yaml");
      if (!Files.isRegularFile(file) && Files.isRegularFile(configs.resolve(PRETRAIN_CONFIGS).resolve(args[1] + ".yaml"))) {
        file = configs.resolve(PRETRAIN_CONFIGS).resolve(args[1] + ".yaml");
      }
    }
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config " + file + " not found; configs/ and configs/pretrain/ have: " + available(home));
    }
    return RunConfig.load(file, overrides(args));
  }

  static Map<String, String> overrides(String[] args) {
    return overrides(args, 2);
  }

  /** {@code --key value} pairs from {@code args[from]} on. */
  static Map<String, String> overrides(String[] args, int from) {
    ToolArgs parsed = ToolArgs.parse(args, from, java.util.Set.of());
    if (!parsed.positional.isEmpty()) {
      throw new ConfigException("argument '" + parsed.positional.get(0) + "': expected --key value");
    }
    return parsed.overrides;
  }

  /** The config names of configs/ and, after them, of configs/pretrain/. */
  private static String available(Path home) {
    Path configs = home.resolve("configs");
    if (!Files.isDirectory(configs)) {
      return "(no configs directory at " + home + ")";
    }
    java.util.List<String> names = new java.util.ArrayList<>(yamlNames(configs));
    names.addAll(yamlNames(configs.resolve(PRETRAIN_CONFIGS)));
    return String.join(", ", names);
  }

  /** The names of the YAML files in {@code dir}, sorted; none where it cannot be listed. */
  private static java.util.List<String> yamlNames(Path dir) {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).map(n -> n.replaceFirst("\\.yaml$", ""))
          .sorted().toList();
    } catch (java.io.IOException e) {
      return java.util.List.of();
    }
  }
}
