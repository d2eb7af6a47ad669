package ram.experiments;

import java.io.PrintStream;
import java.nio.file.Path;

import ram.config.ConfigException;
import ram.runners.cli.Main;
import ram.runners.cluster.Runners;

/**
 * The {@code experiments/run} command line: research probes that ask questions of a model or a
 * run, kept beside the product rather than in {@code ./ram}. Exit codes as {@link Main}'s: 0
 * success, 2 bad input (one line {@code error: ...}), 1 a failure while running (one line
 * {@code failed: ...} and the path of a log with the stack trace).
 */
public final class Experiments {

  static final String USAGE = """
      usage: experiments/run <probe> [args]
        gradients <run dir> [--top 12]       which layers carry a learning signal: each epoch's gradient, recovered from the
                                             checkpoints' Adam moments, by coherence against noise; writes gradient_coherence.csv
        renoise [--world shapes|text] [--checkpoint DIR] [--n 40] [--out FILE.png] [--steps N] [--cfg_scale w] [--time_shift s]
                                             re-noise held-out renders and integrate back: is the shape (or word) kept?
        help                                 this text
      See experiments/README.md.""";

  private Experiments() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a probe; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    try {
      Path home = Path.of(System.getProperty("ram.home", ".")).toAbsolutePath().normalize();
      switch (args[0]) {
        case "gradients" -> GradientsCommand.run(args, out);
        case "renoise" -> {
          if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            Runners.configureEngineThreads(1);
          }
          RenoiseCommand.run(args, home, out);
        }
        default -> throw new ConfigException("unknown probe '" + args[0] + "'; probes: gradients, renoise, help");
      }
      return 0;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("error: " + Main.oneLine(String.valueOf(e.getMessage())));
      return 2;
    } catch (Throwable e) { // the stack trace goes to a log, as ./ram's
      err.println("failed: " + Main.failureSummary(e) + " (details: " + Main.writeFailureLog(e, args, null) + ")");
      return 1;
    }
  }
}
