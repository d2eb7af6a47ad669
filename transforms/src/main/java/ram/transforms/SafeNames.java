package ram.transforms;

import java.nio.charset.StandardCharsets;

/**
 * The rule for a name that ram turns into one file or directory from a stored or user-given
 * string (a sample id becomes {@code images/<id>.png} of an export, a prompt-set name a directory
 * of an evaluation): exactly one path component. A name that is empty, {@code .} or {@code ..},
 * holds a path separator ({@code /} or {@code \}) or a control character, or is longer than
 * {@link #MAX_BYTES} bytes of UTF-8 could write outside ram's target or over another file, so it
 * is refused, never altered. Plain JDK, so that every module can use it.
 */
public final class SafeNames {

  /** Longest name in UTF-8 bytes; leaves room for a suffix under the usual 255-byte file-name limit. */
  public static final int MAX_BYTES = 200;
  private static final int SHOWN_CHARS = 80;

  private SafeNames() {}

  /** What is wrong with {@code name} as one file name, or null if nothing. */
  public static String problem(String name) {
    if (name == null) {
      return "is missing";
    }
    if (name.isEmpty()) {
      return "is empty";
    }
    if (name.equals(".") || name.equals("..")) {
      return "names a directory ('.' or '..'), not a file";
    }
    if (name.indexOf('/') >= 0 || name.indexOf('\\') >= 0) {
      return "contains a path separator ('/' or '\\')";
    }
    if (name.chars().anyMatch(Character::isISOControl)) {
      return "contains a control character";
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      return "is " + bytes + " bytes long, more than " + MAX_BYTES;
    }
    return null;
  }

  /**
   * {@code name} if it is a safe file name; else an {@link IllegalArgumentException}
   * {@code "<where>: <what> '<name, escaped>' <problem>"}.
   */
  public static String require(String name, String what, String where) {
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(where + ": " + what + " '" + shown(name) + "' " + problem);
    }
    return name;
  }

  /** {@code s} printable on one line: a backslash as {@code \\}, each control character as {@code \}{@code uXXXX}. */
  public static String escape(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c == '\\') {
        out.append("\\\\");
      } else if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A value as an error message shows it: {@link #escape escaped}, and only its first 80 characters, then {@code ...}. */
  public static String shown(String s) {
    return s != null && s.length() > SHOWN_CHARS ? escape(s.substring(0, SHOWN_CHARS)) + "..." : escape(s);
  }
}
