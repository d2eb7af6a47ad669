package ram.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The config spelling of an enum constant ({@code SQRT_UNIFORM} is {@code sqrt_uniform}), so that
 * an enum's constants are the one list of a choice key's values: its parser and the config
 * validator both read them from here.
 */
public final class ConfigNames {

  private ConfigNames() {}

  /** The config value of {@code constant}. */
  public static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }

  /** The config values of every constant, in declaration order. */
  public static List<String> all(Enum<?>[] constants) {
    return Arrays.stream(constants).map(ConfigNames::of).toList();
  }

  /** The constant whose config value is {@code value}; otherwise an error naming what was expected. */
  public static <E extends Enum<E>> E parse(E[] constants, String value, String what) {
    for (E c : constants) {
      if (of(c).equals(value)) {
        return c;
      }
    }
    List<String> names = all(constants);
    String expected = names.size() == 1 ? names.get(0)
        : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
    throw new IllegalArgumentException("unknown " + what + " '" + value + "'; expected " + expected);
  }
}
