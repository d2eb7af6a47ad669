package ram.rewards.http;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;

import ram.rewards.RewardInput;
import ram.rewards.RewardResult;
import ram.rewards.image.ImageTensors;

/**
 * The JSON of the {@code http} reward (docs/your-reward.md, "The http reward"). A request holds
 * the batch's samples: id, prompt, metadata (the prompt's JSON, or null), shape and, for an image
 * {@code [3, H, W]}, the image as a base64 PNG, for any other tensor its values. The response holds
 * one result per sample, in order: {@code {"score": number}} or {@code {"error": "why"}}.
 */
public final class HttpRewardProtocol {

  private HttpRewardProtocol() {}

  /** One sample as the request carries it; throws (for this sample alone) when it cannot be encoded. */
  public static JsonObject sample(RewardInput in) {
    JsonObject o = new JsonObject();
    o.addProperty("id", in.sampleId());
    o.addProperty("prompt", in.prompt() == null ? "" : in.prompt());
    o.add("metadata", metadata(in.metadataJson()));
    JsonArray shape = new JsonArray();
    for (int d : in.shape()) {
      shape.add(d);
    }
    o.add("shape", shape);
    if (in.shape().length == 3 && in.shape()[0] == 3) {
      o.addProperty("image", png(in.data(), in.shape()));
    } else {
      JsonArray values = new JsonArray();
      for (float v : in.data()) {
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("non-finite value " + v);
        }
        values.add(v);
      }
      o.add("values", values);
    }
    return o;
  }

  /** The request body of a batch of encoded samples. */
  public static String request(List<JsonObject> samples) {
    JsonObject body = new JsonObject();
    body.addProperty("protocol", 1);
    JsonArray array = new JsonArray();
    samples.forEach(array::add);
    body.add("samples", array);
    return body.toString();
  }

  /**
   * The results of a response body for {@code count} samples.
   *
   * @throws IllegalArgumentException when the body is not the protocol's JSON or holds another
   *     number of results than samples: then no result of the batch can be trusted
   */
  public static List<RewardResult> results(String body, int count) {
    JsonElement doc;
    try {
      doc = JsonParser.parseString(body);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException("malformed JSON in the response (" + firstLine(e.getMessage()) + "): " + excerpt(body));
    }
    if (!doc.isJsonObject() || !doc.getAsJsonObject().has("results") || !doc.getAsJsonObject().get("results").isJsonArray()) {
      throw new IllegalArgumentException("expected a JSON object with a \"results\" list, got: " + excerpt(body));
    }
    JsonArray results = doc.getAsJsonObject().getAsJsonArray("results");
    if (results.size() != count) {
      throw new IllegalArgumentException("the response has " + results.size() + " results for " + count + " samples");
    }
    List<RewardResult> out = new ArrayList<>(count);
    for (JsonElement r : results) {
      out.add(result(r));
    }
    return out;
  }

  private static RewardResult result(JsonElement r) {
    if (r.isJsonObject()) {
      JsonObject o = r.getAsJsonObject();
      if (o.has("error") && !o.get("error").isJsonNull()) {
        return RewardResult.failed("the server: " + (o.get("error").isJsonPrimitive() ? o.get("error").getAsString() : o.get("error")));
      }
      JsonElement score = o.get("score");
      if (score != null && score.isJsonPrimitive() && score.getAsJsonPrimitive().isNumber()) {
        double v = score.getAsDouble();
        return Double.isFinite(v) ? RewardResult.of(v) : RewardResult.failed("the server's score is " + v);
      }
    }
    return RewardResult.failed("expected {\"score\": number} or {\"error\": text}, got " + excerpt(r.toString()));
  }

  private static JsonElement metadata(String json) {
    if (json == null) {
      return JsonNull.INSTANCE;
    }
    try {
      return JsonParser.parseString(json);
    } catch (JsonParseException e) {
      return new JsonPrimitive(json);
    }
  }

  private static String png(float[] data, int[] shape) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(ImageTensors.toImage(data, shape), "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  /** At most 200 characters of a text, on one line. */
  static String excerpt(String text) {
    String flat = String.valueOf(text).replaceAll("\\s+", " ").strip();
    return flat.length() <= 200 ? flat : flat.substring(0, 200) + "...";
  }

  private static String firstLine(String message) {
    return String.valueOf(message).lines().findFirst().orElse("");
  }
}
