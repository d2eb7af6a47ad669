package ram.runners.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

import ram.config.ConfigException;
import ram.runners.store.OwnedDirectory;

/**
 * The {@code ram} command line: one picocli command per job ({@code train}, {@code evaluate},
 * {@code export}, ...), each its own class in this package. Exit codes: 0 success (and help), 2 bad
 * input (config, arguments, files; one line {@code error: ...} names what and where), 1 a failure
 * while running (one line {@code failed: ...} with the root cause and the path of a log that holds
 * the stack trace; see {@link #writeFailureLog}).
 */
@Command(name = "ram", synopsisSubcommandLabel = "<command>",
    description = "Post-trains flow-matching models with RAM or Flow-GRPO, as Beam pipelines on Flink.",
    subcommands = {TrainCommand.class, PretrainCommand.class, ValidateCommand.class, RunsCommand.class, EvaluateCommand.class,
        SampleCommand.class, RescoreCommand.class, ExportCommand.class, WeightsCommand.class, CompareCommand.class, BenchCommand.class,
        FlinkCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "<config> is a name in configs/ (e.g. toy2d) or configs/pretrain/ (e.g. base_stage1), or a path to a YAML file.",
        "Any config key can be overridden: --epochs 5 --runner direct --output_dir /tmp/run.",
        "./ram <command> --help lists a command's options and the config keys it reads. See README.md."})
public final class Main {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = HELP)
  private boolean help;

  private static final String HELP = "print this help and exit";
  /** Columns of the help text: one line per command, and the config keys' docs readable beside their names. */
  private static final int USAGE_WIDTH = 100;

  private final PrintStream out;
  private final PrintWriter helpOut; // picocli's help and usage, onto out
  private final Path home;
  private Path runDir; // where an internal error's log goes, once a command knows it

  private Main(PrintStream out, Path home) {
    this.out = out;
    this.helpOut = new PrintWriter(out, true);
    this.home = home;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command; returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Main ram = new Main(out, Path.of(System.getProperty("ram.home", ".")).toAbsolutePath().normalize());
    try {
      CommandLine cli = ram.commandLine();
      if (args.length == 0) {
        cli.usage(cli.getOut());
        return 2;
      }
      ParseResult parsed = cli.parseArgs(args);
      Integer help = CommandLine.executeHelpRequest(parsed);
      if (help != null) {
        return help;
      }
      ParseResult leaf = parsed;
      while (leaf.hasSubcommand()) {
        leaf = leaf.subcommand();
      }
      if (!(leaf.commandSpec().userObject() instanceof Callable<?> command)) {
        cli.usage(cli.getOut()); // ram with options only
        return 2;
      }
      return (Integer) command.call();
    } catch (ParameterException e) {
      err.println("error: " + parseError(e, args));
      return 2;
    } catch (ConfigException | IllegalArgumentException e) {
      err.println("error: " + oneLine(String.valueOf(e.getMessage())));
      return 2;
    } catch (Throwable e) { // OutOfMemoryError and other Errors too: one line here, the stack trace in the log
      err.println("failed: " + failureSummary(e) + " (details: " + writeFailureLog(e, args, ram.runDir) + ")");
      return 1;
    } finally {
      ram.helpOut.flush();
      out.flush();
    }
  }

  /** The command tree, writing to this run's output; config-taking commands get their overrides and help. */
  private CommandLine commandLine() {
    CommandLine cli = new CommandLine(this);
    cli.setExpandAtFiles(false); // '@' starts no argument file: a value is what it says
    cli.setOut(helpOut);
    cli.setUsageHelpWidth(USAGE_WIDTH);
    cli.getSubcommands().get("help").getCommandSpec().usageMessage()
        .description("this list, or a command's options and config keys: ./ram help <command>");
    for (CommandLine command : cli.getSubcommands().values()) {
      addHelpOption(command);
      if (command.getCommand() instanceof ConfigOverrides.Target target) {
        command.getCommandSpec().preprocessor(new ConfigOverrides());
        ConfigOverrides.addHelp(command, target);
      }
    }
    return cli;
  }

  /** {@code -h, --help} on {@code command} and its subcommands ({@code help} has its own). */
  private static void addHelpOption(CommandLine command) {
    if (command.getCommand() instanceof CommandLine.HelpCommand) {
      return;
    }
    command.getCommandSpec().addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description(HELP).build());
    command.getCommandSpec().usageMessage().sortOptions(false).sortSynopsis(false); // as declared: the main options first
    command.getSubcommands().values().forEach(Main::addHelpOption);
  }

  /** picocli's message for a command line it cannot parse, in one line naming the command. */
  private static String parseError(ParameterException e, String[] args) {
    CommandLine where = e.getCommandLine();
    List<String> suggestions = e instanceof UnmatchedArgumentException u ? u.getSuggestions() : List.of();
    String hint = suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions);
    if (where.getCommand() instanceof Main && e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
        && u.getUnmatched().get(0).equals(args[0]) && !args[0].startsWith("-")) {
      return oneLine("unknown command '" + args[0] + "'" + hint + "; commands: " + String.join(", ", where.getSubcommands().keySet())
          + " (see ./ram help)");
    }
    String command = where.getCommandSpec().qualifiedName(" ").replaceFirst("^ram ?", "");
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    message = message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    String see = command.isEmpty() ? "./ram help" : "./ram " + command + " --help";
    return oneLine((command.isEmpty() ? "" : command + ": ") + message + hint + " (see " + see + ")");
  }

  /** Where the command writes: this run's standard output. */
  PrintStream out() {
    return out;
  }

  /** The ram home: configs/, prompts/, models/ and outputs/ are under it. */
  Path home() {
    return home;
  }

  /** The run directory a failure's log goes to, once the command knows it (see {@link #writeFailureLog}). */
  void logFailuresIn(Path dir) {
    this.runDir = dir;
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
    StringWriter trace = new StringWriter();
    e.printStackTrace(new PrintWriter(trace));
    String text = "ram " + String.join(" ", args) + "\n" + OffsetDateTime.now() + ", Java " + Runtime.version() + "\n\n" + trace;
    String name = "ram-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"))
        + "-" + ProcessHandle.current().pid() + ".log";
    Path dir = runDir != null && ownedRun(runDir) ? runDir.resolve("logs")
        : Path.of(System.getProperty("java.io.tmpdir"), "ram-logs");
    try {
      Files.createDirectories(dir);
      return Files.writeString(dir.resolve(name), text).toAbsolutePath().toString();
    } catch (IOException | RuntimeException failed) {
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
}
