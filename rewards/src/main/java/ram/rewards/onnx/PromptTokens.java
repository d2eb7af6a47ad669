package ram.rewards.onnx;

import java.nio.charset.StandardCharsets;

/**
 * A prompt as the tokens an {@code image+text} model reads: its UTF-8 bytes plus one, cut or
 * padded with 0 to a length (the convention of ram's TorchScript text encoders, docs/your-model.md).
 */
final class PromptTokens {

  private PromptTokens() {}

  /** The tokens of {@code prompt}: {@code min(bytes, max)} long without padding when {@code max} is Integer.MAX_VALUE, else exactly {@code max}. */
  static long[] of(String prompt, int max) {
    byte[] bytes = (prompt == null ? "" : prompt).getBytes(StandardCharsets.UTF_8);
    long[] ids = new long[max == Integer.MAX_VALUE ? bytes.length : max];
    for (int i = 0; i < Math.min(ids.length, bytes.length); i++) {
      ids[i] = (bytes[i] & 0xFF) + 1;
    }
    return ids;
  }
}
