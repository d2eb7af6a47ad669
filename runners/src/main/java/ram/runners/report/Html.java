package ram.runners.report;

/**
 * Text for an HTML page ({@code report.html}, {@code comparison.html}): every string a page embeds
 * that ram did not write itself (config values, paths, prompt texts, metric and task names) goes
 * through {@link #escape}, so a value like {@code <script>} shows as text and never runs. Written
 * here because no HTML escaper is this project's API: Apache commons-text reaches the classpath
 * only through Hadoop's dependencies and Guava only as Beam's vendored copy, and the five
 * characters below are all that text in an element or a quoted attribute needs.
 */
final class Html {

  private Html() {}

  /** {@code s} with {@code & < > " '} as character references; "null" for null. */
  static String escape(Object s) {
    String text = String.valueOf(s);
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (char c : text.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
