package ram.pipelines;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import ram.rewards.PromptFiles;
import ram.rewards.Reward;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardSettings;
import ram.schemas.Prompt;

/**
 * Loads a prompt set: a JSON-lines file, one object per line with {@code prompt} (the text),
 * optional {@code prompt_id} (default: the line number) and {@code tag}; the whole object is kept
 * as the prompt's metadata. Errors name the file and line.
 */
public final class PromptSets {

  public static final int MAX_PROMPT_CHARS = 1000;

  private PromptSets() {}

  public static List<Prompt> load(Path file) {
    PromptFiles.requireReadableSize(file);
    String text;
    try {
      text = decodeUtf8(file, Files.readAllBytes(file));
    } catch (IOException e) {
      throw new UncheckedIOException(file + ": cannot read prompt file: " + e.getMessage(), e);
    }
    List<Prompt> prompts = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      String where = file + " line " + (i + 1);
      JsonObject o;
      try {
        JsonElement e = JsonParser.parseString(line);
        if (!e.isJsonObject()) {
          throw new IllegalArgumentException(where + ": expected a JSON object");
        }
        o = e.getAsJsonObject();
      } catch (JsonParseException e) {
        throw new IllegalArgumentException(where + ": invalid JSON: "
            + e.getMessage().lines().findFirst().orElse("").replaceFirst("^[\\w.]+Exception: ", ""));
      }
      if (!o.has("prompt") || !o.get("prompt").isJsonPrimitive()) {
        throw new IllegalArgumentException(where + ": missing string field 'prompt'");
      }
      String prompt = o.get("prompt").getAsString();
      if (prompt.length() > MAX_PROMPT_CHARS) {
        throw new IllegalArgumentException(where + ": prompt longer than " + MAX_PROMPT_CHARS + " characters");
      }
      String id = o.has("prompt_id") ? o.get("prompt_id").getAsString() : String.format("line-%06d", i + 1);
      if (!ids.add(id)) {
        throw new IllegalArgumentException(where + ": duplicate prompt_id '" + id + "'");
      }
      prompts.add(Prompt.newBuilder().setPromptId(id).setText(prompt)
          .setTag(o.has("tag") ? o.get("tag").getAsString() : null)
          .setMetadataJson(o.toString()).build());
    }
    if (prompts.isEmpty()) {
      throw new IllegalArgumentException(file + ": the prompt file has no prompts");
    }
    return prompts;
  }

  /** The text of a UTF-8 file; invalid bytes are an error naming their line and byte offset. */
  private static String decodeUtf8(Path file, byte[] bytes) {
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
    java.nio.charset.CoderResult result = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
    if (result.isError()) {
      int line = 1;
      for (int i = 0; i < in.position(); i++) {
        line += bytes[i] == '\n' ? 1 : 0;
      }
      throw new IllegalArgumentException(file + " line " + line + ": not valid UTF-8 (byte offset " + in.position() + ")");
    }
    return out.flip().toString();
  }

  /**
   * Loads a prompt file and checks that every prompt carries what each of {@code rewards} needs to
   * score it (see {@link Reward#checkPrompt}), so a bad file fails before anything runs. Each
   * reward is created from {@code settings}: settings it cannot score with (a missing model file)
   * fail here too, naming the reward.
   */
  public static List<Prompt> load(Path file, java.util.Collection<String> rewards, RewardSettings settings) {
    List<Prompt> prompts = load(file);
    for (String name : rewards) {
      try (Reward reward = RewardRegistry.create(name, settings)) {
        for (Prompt p : prompts) {
          reward.checkPrompt(p.getMetadataJson(), file + " prompt " + p.getPromptId() + " (reward " + name + ")");
        }
      }
    }
    return prompts;
  }
}
