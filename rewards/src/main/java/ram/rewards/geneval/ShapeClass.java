package ram.rewards.geneval;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/** The object classes of the shapes world, with the singular and plural words prompts use. */
public enum ShapeClass {
  CIRCLE("circle", "circles"),
  SQUARE("square", "squares"),
  TRIANGLE("triangle", "triangles"),
  STAR("star", "stars"),
  CROSS("cross", "crosses");

  private final String word;
  private final String plural;

  ShapeClass(String word, String plural) {
    this.word = word;
    this.plural = plural;
  }

  /** The class name used in GenEval metadata and detections, e.g. {@code circle}. */
  public String word() {
    return word;
  }

  /** The plural used in counting prompts, e.g. {@code crosses}. */
  public String plural() {
    return plural;
  }

  /** The class with this metadata name, or null. */
  public static ShapeClass byWord(String word) {
    for (ShapeClass c : values()) {
      if (c.word.equals(word)) {
        return c;
      }
    }
    return null;
  }

  /** All metadata class names of the shapes world. */
  public static Set<String> words() {
    Set<String> words = new TreeSet<>();
    Arrays.stream(values()).forEach(c -> words.add(c.word));
    return words;
  }
}
