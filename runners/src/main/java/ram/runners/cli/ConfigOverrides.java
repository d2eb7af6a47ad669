package ram.runners.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Stack;
import java.util.stream.Collectors;

import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Help.Column;
import picocli.CommandLine.Help.Column.Overflow;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import ram.config.ConfigKeys;

/**
 * Config keys on a command line: every {@code --key value} or {@code --key=value} whose key is not
 * one of the command's own options is a config override. This preprocessor takes them out of the
 * arguments before picocli parses the rest, in command-line order, into the command's
 * {@link Target#overrides()}, which the command hands to {@code RunConfig.load}: the config, not
 * the parser, refuses an unknown key or a bad value, by name. It also adds the keys, section by
 * section with default and doc, to the command's {@code --help}.
 */
final class ConfigOverrides implements CommandLine.IParameterPreprocessor {

  /** A command whose command line may carry config keys. */
  interface Target {

    /** Where the overrides go: key to raw value, in command-line order. */
    Map<String, String> overrides();

    /** Whether its {@code --help} lists {@code key}: all keys, unless the command reads only some. */
    default boolean reads(ConfigKeys.Key key) {
      return true;
    }
  }

  /** The help section of the config keys, after the command's own options. */
  static final String HELP_SECTION = "configKeys";

  private static final int KEY_COLUMN = 34;

  @Override
  public boolean preprocess(Stack<String> args, CommandSpec spec, ArgSpec argSpec, Map<String, Object> info) {
    if (argSpec != null) {
      return false; // only once per command, before its arguments are parsed
    }
    List<String> words = new ArrayList<>();
    while (!args.isEmpty()) {
      words.add(args.pop());
    }
    Map<String, String> overrides = ((Target) spec.userObject()).overrides();
    List<String> kept = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      String word = words.get(i);
      if (word.equals("--")) { // the end of options: the rest are parameters
        kept.addAll(words.subList(i, words.size()));
        break;
      }
      if (!word.startsWith("--")) {
        kept.add(word);
        continue;
      }
      int eq = word.indexOf('=');
      String name = eq < 0 ? word : word.substring(0, eq);
      OptionSpec own = spec.findOption(name);
      if (own != null) { // the command's own option and its value, for picocli
        kept.add(word);
        if (eq < 0 && own.arity().max() > 0 && i + 1 < words.size()) {
          kept.add(words.get(++i));
        }
        continue;
      }
      String key = name.substring(2);
      if (key.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "argument '" + word + "': expected --key value");
      }
      requireSnakeCase(key, spec);
      if (eq >= 0) {
        overrides.put(key, word.substring(eq + 1));
      } else if (i + 1 < words.size() && !words.get(i + 1).startsWith("--")) {
        overrides.put(key, words.get(++i));
      } else {
        throw new ParameterException(spec.commandLine(), "argument --" + key + ": missing its value");
      }
    }
    for (int i = kept.size() - 1; i >= 0; i--) {
      args.push(kept.get(i));
    }
    return false;
  }

  /** {@code --min-reward} for {@code --min_reward}: options and keys are snake_case; said so, naming the one meant. */
  private static void requireSnakeCase(String key, CommandSpec spec) {
    String snake = key.replace('-', '_');
    if (!snake.equals(key) && ConfigKeys.get(key) == null
        && (spec.findOption("--" + snake) != null || ConfigKeys.get(snake) != null)) {
      throw new ParameterException(spec.commandLine(), "unknown option --" + key + "; options and config keys are snake_case: --"
          + snake);
    }
  }

  /** Adds the config keys of {@code target} to the {@code --help} of {@code command}, and {@code [--key value...]} to its synopsis. */
  static void addHelp(CommandLine command, Target target) {
    Map<String, CommandLine.IHelpSectionRenderer> sections = command.getHelpSectionMap();
    CommandLine.IHelpSectionRenderer synopsis = sections.get(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS);
    sections.put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
        help -> synopsis.render(help).stripTrailing() + " [--key value...]" + System.lineSeparator());
    sections.put(HELP_SECTION, help -> keys(help, target));
    List<String> order = new ArrayList<>(command.getHelpSectionKeys());
    order.add(order.indexOf(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER_HEADING), HELP_SECTION);
    command.setHelpSectionKeys(order);
  }

  /** The keys {@code target} reads, section by section: {@code --key=<type>}, then the doc and the default. */
  static String keys(Help help, Target target) {
    int width = help.commandSpec().usageMessage().width();
    boolean all = ConfigKeys.all().stream().allMatch(target::reads);
    StringBuilder out = new StringBuilder(String.format("%nConfig keys%s, as --key value or --key=value:%n", all ? "" : " it reads"));
    ConfigKeys.bySection().forEach((section, keys) -> {
      List<ConfigKeys.Key> read = keys.stream().filter(target::reads).toList();
      if (read.isEmpty()) {
        return;
      }
      Help.TextTable table = Help.TextTable.forColumns(help.colorScheme(), new Column(KEY_COLUMN, 2, Overflow.SPAN),
          new Column(width - KEY_COLUMN, 1, Overflow.WRAP));
      for (ConfigKeys.Key k : read) {
        boolean docSaysDefault = k.defaultValue() == null && k.doc().contains("default");
        table.addRowValues("--" + k.name() + "=" + valueLabel(k), k.doc() + (docSaysDefault ? "" : " (default: " + k.defaultText() + ")"));
      }
      out.append(String.format(" %s:%n", section.title)).append(table);
    });
    return out.toString();
  }

  /** What a key takes, as {@code <int>}, {@code <full|lora>}, ... */
  private static String valueLabel(ConfigKeys.Key k) {
    return switch (k.type()) {
      case INT, POSITIVE_INT, NON_NEGATIVE_INT -> "<int>";
      case DOUBLE, POSITIVE_DOUBLE, NON_NEGATIVE_DOUBLE -> "<number>";
      case STRING -> "<string>";
      case PATH, OPTIONAL_PATH -> "<path>";
      case CHOICE -> k.choices().stream().collect(Collectors.joining("|", "<", ">"));
      case WEIGHTS -> "<name=weight,...>";
      case REGEX_LIST -> "<regex>";
      case SHAPE -> "<d,d,...>";
      case CHOICE_LIST -> k.choices().stream().collect(Collectors.joining(",", "<", ",...>"));
      case NUMBER_LIST -> "<x,x,...>";
      case NAME_OR_INDEX -> "<name|index>";
    };
  }
}
