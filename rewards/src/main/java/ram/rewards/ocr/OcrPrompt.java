package ram.rewards.ocr;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * One line of {@code prompts/ocr/*.jsonl}: a Flow-GRPO style prompt whose target text stands
 * between double quotes, and that text.
 *
 * @param prompt the prompt, e.g. {@code a sign that reads "CAT"}
 * @param text the quoted target text
 */
public record OcrPrompt(String prompt, String text) {

  /** This prompt as one JSON object. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("prompt", prompt);
    o.addProperty("text", text);
    return o;
  }

  /**
   * Parses one JSON line; the text is taken from the prompt's quotes and must match the
   * {@code text} key when present.
   *
   * @throws IllegalArgumentException naming {@code where} and the offending key
   */
  public static OcrPrompt parse(String json, String where) {
    JsonObject root;
    try {
      JsonElement element = JsonParser.parseString(json);
      if (!element.isJsonObject() || !element.getAsJsonObject().has("prompt")) {
        throw new IllegalArgumentException(where + ": key 'prompt' is missing");
      }
      root = element.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(where + ": invalid JSON: " + e.getMessage(), e);
    }
    String prompt = root.get("prompt").getAsString();
    String text;
    try {
      text = OcrFormula.targetText(prompt);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + ": key 'prompt': " + e.getMessage(), e);
    }
    if (root.has("text") && !root.get("text").getAsString().equals(text)) {
      throw new IllegalArgumentException(where + ": key 'text' is '" + root.get("text").getAsString() + "' but the prompt quotes '" + text + "'");
    }
    return new OcrPrompt(prompt, text);
  }
}
