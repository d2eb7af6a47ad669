package ram.rewards.geneval;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A GenEval prompt with its metadata: the text, the tag, the include clauses (AND) and the exclude
 * clauses (OR). This is one line of {@code prompts/geneval/*.jsonl} and the metadata a GenEval
 * reward receives with each sample.
 *
 * @param prompt the prompt text
 * @param tag the GenEval category
 * @param include what the image must show, in order (positions refer to earlier items)
 * @param exclude what the image must not show
 */
public record GenEvalPrompt(String prompt, GenEvalTag tag, List<IncludeItem> include, List<ExcludeItem> exclude) {

  public GenEvalPrompt {
    include = List.copyOf(include);
    exclude = List.copyOf(exclude);
  }

  /**
   * Parses and validates GenEval metadata.
   *
   * @param json one JSON object
   * @param knownClasses the object classes the detector knows; any other class is an error
   * @param where where the JSON came from (file and line), for error messages
   * @throws IllegalArgumentException naming {@code where} and the offending key
   */
  public static GenEvalPrompt parse(String json, Set<String> knownClasses, String where) {
    JsonObject root;
    try {
      JsonElement element = JsonParser.parseString(json == null ? "" : json);
      if (!element.isJsonObject()) {
        throw new IllegalArgumentException(where + ": GenEval metadata must be a JSON object");
      }
      root = element.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(where + ": invalid JSON: " + e.getMessage(), e);
    }
    try {
      return fromJson(root, knownClasses, where);
    } catch (ClassCastException | IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
      throw new IllegalArgumentException(where + ": malformed GenEval metadata: " + e.getMessage(), e);
    }
  }

  private static GenEvalPrompt fromJson(JsonObject root, Set<String> knownClasses, String where) {
    String prompt = root.has("prompt") ? root.get("prompt").getAsString() : "";
    if (!root.has("tag")) {
      throw new IllegalArgumentException(where + ": key 'tag' is missing");
    }
    GenEvalTag tag = GenEvalTag.byWord(root.get("tag").getAsString());
    if (tag == null) {
      throw new IllegalArgumentException(where + ": key 'tag': unknown tag '" + root.get("tag").getAsString() + "'");
    }
    if (!root.has("include") || !root.get("include").isJsonArray() || root.getAsJsonArray("include").isEmpty()) {
      throw new IllegalArgumentException(where + ": key 'include' must be a non-empty array");
    }
    List<IncludeItem> include = new ArrayList<>();
    JsonArray items = root.getAsJsonArray("include");
    for (int i = 0; i < items.size(); i++) {
      include.add(parseInclude(items.get(i).getAsJsonObject(), i, knownClasses, where));
    }
    List<ExcludeItem> exclude = new ArrayList<>();
    if (root.has("exclude")) {
      JsonArray excluded = root.getAsJsonArray("exclude");
      for (int i = 0; i < excluded.size(); i++) {
        JsonObject item = excluded.get(i).getAsJsonObject();
        String key = "exclude[" + i + "]";
        exclude.add(new ExcludeItem(className(item, key, knownClasses, where), count(item, key, where)));
      }
    }
    return new GenEvalPrompt(prompt, tag, include, exclude);
  }

  private static IncludeItem parseInclude(JsonObject item, int index, Set<String> knownClasses, String where) {
    String key = "include[" + index + "]";
    String className = className(item, key, knownClasses, where);
    int count = count(item, key, where);
    String color = null;
    if (item.has("color")) {
      color = item.get("color").getAsString();
      if (ColorName.byWord(color) == null) {
        throw new IllegalArgumentException(where + ": key '" + key + ".color': unknown colour '" + color + "'");
      }
    }
    String relation = null;
    int relativeTo = -1;
    if (item.has("position")) {
      JsonArray position = item.getAsJsonArray("position");
      if (position.size() != 2) {
        throw new IllegalArgumentException(where + ": key '" + key + ".position' must be [relation, index]");
      }
      relation = position.get(0).getAsString();
      relativeTo = position.get(1).getAsInt();
      if (!Relations.ALL.contains(relation)) {
        throw new IllegalArgumentException(where + ": key '" + key + ".position': unknown relation '" + relation + "'");
      }
      if (relativeTo < 0 || relativeTo >= index) {
        throw new IllegalArgumentException(where + ": key '" + key + ".position': index " + relativeTo + " must refer to an earlier include item");
      }
    }
    return new IncludeItem(className, count, color, relation, relativeTo);
  }

  private static String className(JsonObject item, String key, Set<String> knownClasses, String where) {
    if (!item.has("class")) {
      throw new IllegalArgumentException(where + ": key '" + key + ".class' is missing");
    }
    String className = item.get("class").getAsString();
    if (!knownClasses.contains(className)) {
      throw new IllegalArgumentException(where + ": key '" + key + ".class': unknown class '" + className + "'; known classes: " + knownClasses);
    }
    return className;
  }

  private static int count(JsonObject item, String key, String where) {
    int count = item.has("count") ? item.get("count").getAsInt() : -1;
    if (count < 1) {
      throw new IllegalArgumentException(where + ": key '" + key + ".count' must be an integer >= 1");
    }
    return count;
  }

  /** This prompt as one JSON object in GenEval's metadata form. */
  public JsonObject toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("prompt", prompt);
    root.addProperty("tag", tag.word());
    JsonArray items = new JsonArray();
    for (IncludeItem item : include) {
      JsonObject o = new JsonObject();
      o.addProperty("class", item.className());
      o.addProperty("count", item.count());
      if (item.color() != null) {
        o.addProperty("color", item.color());
      }
      if (item.hasPosition()) {
        JsonArray position = new JsonArray();
        position.add(item.relation());
        position.add(item.relativeTo());
        o.add("position", position);
      }
      items.add(o);
    }
    root.add("include", items);
    if (!exclude.isEmpty()) {
      JsonArray excluded = new JsonArray();
      for (ExcludeItem item : exclude) {
        JsonObject o = new JsonObject();
        o.addProperty("class", item.className());
        o.addProperty("count", item.count());
        excluded.add(o);
      }
      root.add("exclude", excluded);
    }
    return root;
  }
}
