package ram.model;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A character-level prompt encoder: each prompt becomes a begin token followed by its first
 * {@value #MAX_CHARS} characters (printable ASCII; anything else is one "unknown" symbol), embedded,
 * plus fixed sinusoidal positions, then a few pre-norm transformer layers with padding masks.
 *
 * <p>Characters rather than words because the OCR world asks for arbitrary letter strings, and a
 * 98-symbol vocabulary costs almost nothing. The empty prompt (the unconditional prompt of
 * classifier-free guidance) is the begin token alone. Parameters live under {@code text.*}.
 */
public final class CharTextEncoder {

  /** Characters kept from a prompt; the rest is cut off. */
  public static final int MAX_CHARS = 64;
  /** Symbols: 0 padding, 1 begin, 2..96 printable ASCII 32..126, 97 unknown. */
  public static final int VOCABULARY = 98;
  private static final float MASKED = -1e4f;

  private final int width;
  private final int layers;
  private final int heads;

  /** One batch of prompts as engine arrays. */
  public record Tokens(NDArray oneHot, NDArray additiveMask, NDArray keepMask, int length) {}

  public CharTextEncoder(int width, int layers, int heads) {
    this.width = width;
    this.layers = layers;
    this.heads = heads;
  }

  /** The symbol of a character. */
  static int symbol(char c) {
    return c >= 32 && c <= 126 ? c - 30 : VOCABULARY - 1;
  }

  /** Adds the encoder's parameters to {@code p}. */
  public void initialize(ParameterSet p, SplittableRandom random) {
    float[] embedding = new float[VOCABULARY * width];
    for (int i = width; i < embedding.length; i++) { // row 0 (padding) stays zero
      embedding[i] = (float) gaussian(random);
    }
    p.put("text.embedding", new int[] {VOCABULARY, width}, embedding);
    for (int l = 0; l < layers; l++) {
      TransformerOps.putLinear(p, random, "text.layer" + l + ".attn.qkv", width, 3 * width, false);
      TransformerOps.putLinear(p, random, "text.layer" + l + ".attn.out", width, width, false);
      TransformerOps.putMlp(p, random, "text.layer" + l + ".mlp", width, 4 * width);
    }
  }

  private static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** One-hot symbols {@code [B, L, V]} and masks, padded to the longest prompt of the batch. */
  public Tokens tokenize(List<String> prompts, NDManager manager) {
    int batch = prompts.size();
    int length = 1;
    for (String s : prompts) {
      length = Math.max(length, 1 + Math.min(s.length(), MAX_CHARS));
    }
    float[] oneHot = new float[batch * length * VOCABULARY];
    float[] additive = new float[batch * length];
    float[] keep = new float[batch * length];
    for (int b = 0; b < batch; b++) {
      String s = prompts.get(b);
      int n = 1 + Math.min(s.length(), MAX_CHARS);
      for (int i = 0; i < length; i++) {
        int sym = i == 0 ? 1 : i < n ? symbol(s.charAt(i - 1)) : 0;
        oneHot[(b * length + i) * VOCABULARY + sym] = 1f;
        additive[b * length + i] = i < n ? 0f : MASKED;
        keep[b * length + i] = i < n ? 1f : 0f;
      }
    }
    return new Tokens(manager.create(oneHot, new Shape(batch, length, VOCABULARY)),
        manager.create(additive, new Shape(batch, 1, 1, length)), manager.create(keep, new Shape(batch, length, 1)), length);
  }

  /** Encoded characters {@code [B, L, width]} (padding rows are garbage; use the masks). */
  public NDArray encode(Map<String, NDArray> p, Tokens tokens) {
    float[] positions = new float[tokens.length() * width];
    for (int i = 0; i < tokens.length(); i++) {
      System.arraycopy(TransformerOps.sinusoid(i, width), 0, positions, i * width, width);
    }
    NDArray h = tokens.oneHot().matMul(p.get("text.embedding"))
        .add(tokens.oneHot().getManager().create(positions, new Shape(1, tokens.length(), width)));
    for (int l = 0; l < layers; l++) {
      String name = "text.layer" + l;
      h = h.add(TransformerOps.selfAttention(p, name + ".attn", TransformerOps.layerNorm(h), heads, tokens.additiveMask()));
      h = h.add(TransformerOps.mlp(p, name + ".mlp", TransformerOps.layerNorm(h)));
    }
    return TransformerOps.layerNorm(h);
  }

  /** Mean of the unmasked rows, {@code [B, width]}. */
  public static NDArray pool(NDArray encoded, Tokens tokens) {
    return encoded.mul(tokens.keepMask()).sum(new int[] {1}).div(tokens.keepMask().sum(new int[] {1}));
  }
}
