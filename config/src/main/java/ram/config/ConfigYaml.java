package ram.config;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.DuplicateKeyException;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * YAML as configs are read and written: the YAML 1.2 core schema instead of SnakeYAML's YAML 1.1,
 * and no duplicate keys. Under YAML 1.1 {@code yes}, {@code no}, {@code on} and {@code off} are
 * booleans, {@code 010} is 8 (octal), {@code 1:30} is 90 (base 60) and {@code 2024-01-02} is a
 * date; a config that says {@code epochs: 010} would silently train 8 epochs. Here booleans are
 * only {@code true}/{@code false}, integers are decimal ({@code 0o} octal, {@code 0x} hex), and an
 * integer written with a leading zero, a base-60 number or a date stays a string, which a key that
 * expects a number refuses with {@link #hint}.
 */
final class ConfigYaml {

  /** Decimal without a leading zero, or the core schema's 0o / 0x forms. */
  private static final Pattern CORE_INT = Pattern.compile("^(?:[-+]?(?:0|[1-9][0-9]*)|0o[0-7]+|0x[0-9a-fA-F]+)$");
  /** The core schema's floats, with the same rule on the integer part. */
  private static final Pattern CORE_FLOAT = Pattern.compile(
      "^(?:[-+]?(?:\\.[0-9]+|(?:0|[1-9][0-9]*)(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$");
  private static final Pattern CORE_BOOL = Pattern.compile("^(?:true|True|TRUE|false|False|FALSE)$");
  private static final Pattern CORE_NULL = Pattern.compile("^(?:~|null|Null|NULL|)$");
  private static final Pattern LEADING_ZERO = Pattern.compile("[-+]?0[0-9]+(?:\\.[0-9]*)?(?:[eE][-+]?[0-9]+)?");
  private static final Pattern BASE_60 = Pattern.compile("[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?");

  private ConfigYaml() {}

  /** The YAML 1.2 core schema's implicit types (SnakeYAML's own, Resolver.INT and the like, are YAML 1.1's). */
  private static final class CoreResolver extends Resolver {
    @Override
    protected void addImplicitResolvers() {
      addImplicitResolver(Tag.BOOL, CORE_BOOL, "tTfF", 10);
      addImplicitResolver(Tag.INT, CORE_INT, "-+0123456789", 50);
      addImplicitResolver(Tag.FLOAT, CORE_FLOAT, "-+0123456789.", 50);
      addImplicitResolver(Tag.NULL, CORE_NULL, "~nN\0", 10);
      addImplicitResolver(Tag.NULL, Resolver.EMPTY, null, 10);
      addImplicitResolver(Tag.YAML, Resolver.YAML, "!&*", 10);
    }
  }

  /** Safe construction with core-schema integers (SnakeYAML's would read {@code 0o17} wrongly and accept {@code 1_000}). */
  private static final class CoreConstructor extends SafeConstructor {
    CoreConstructor(LoaderOptions options) {
      super(options);
      yamlConstructors.put(Tag.INT, new AbstractConstruct() {
        @Override
        public Object construct(Node node) {
          return integer(((ScalarNode) node).getValue());
        }
      });
    }
  }

  /** A core-schema integer as Integer, Long or (beyond a long) BigInteger, as SnakeYAML gives them. */
  static Object integer(String text) {
    String digits = text.startsWith("+") ? text.substring(1) : text;
    int radix = 10;
    if (digits.startsWith("0o") || digits.startsWith("0x")) {
      radix = digits.charAt(1) == 'o' ? 8 : 16;
      digits = digits.substring(2);
    }
    BigInteger value = new BigInteger(digits, radix);
    if (value.bitLength() < Integer.SIZE) {
      return value.intValue();
    }
    return value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
  }

  /** A loader for config files and command-line values. */
  static Yaml loader() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    DumperOptions dump = new DumperOptions();
    return new Yaml(new CoreConstructor(options), new Representer(dump), dump, options, new CoreResolver());
  }

  /** A dumper in block style whose plain scalars read back as the same values under {@link #loader}. */
  static Yaml dumper() {
    DumperOptions dump = new DumperOptions();
    dump.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(new CoreConstructor(new LoaderOptions()), new Representer(dump), dump, new LoaderOptions(), new CoreResolver());
  }

  /** The one-line message for a duplicate key: the file, the key and its second line. */
  static String duplicateKey(Path file, DuplicateKeyException e) {
    String key = e.getProblem().replaceFirst("^found duplicate key ", "");
    return file + " line " + (e.getProblemMark().getLine() + 1) + ": duplicate key '" + key + "' (each key may appear once)";
  }

  /**
   * Why a string where a number was expected is not read as YAML 1.1 would read it, or null: a
   * leading zero (octal in YAML 1.1) or a base-60 number ({@code 1:30}).
   */
  static String hint(String value) {
    if (LEADING_ZERO.matcher(value).matches()) {
      return "a leading zero is refused: YAML 1.1 reads such a number as octal; write it without the zero";
    }
    if (BASE_60.matcher(value).matches()) {
      return "YAML 1.1 reads this as a base-60 number; write the value in decimal";
    }
    return null;
  }
}
