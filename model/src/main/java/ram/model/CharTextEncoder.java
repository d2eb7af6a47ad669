package ram.model;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A character-level prompt encoder: each prompt becomes a begin token followed by its first
 * {@value #MAX_CHARS} characters (printable ASCII; anything else is one "unknown" symbol), and one
 * token per whitespace-separated word, all read by a few pre-norm transformer layers with padding
 * masks.
 *
 * <p>A character token is its symbol's embedding plus fixed sinusoidal positions plus a learned
 * embedding of its position inside its word. A word token is built from characters too, with no
 * vocabulary: the embedding of the set of (symbol, position in word) pairs of its first
 * {@value #WORD_CHARS} characters, so every word, seen or not, has its own direct embedding. Word
 * tokens make "red" or "circle" one token that the image can attend to and that the pooled
 * prompt (the mean of the begin and word tokens) does not dilute among 40 characters; character
 * tokens keep each letter, with its place in its word, for the OCR world's arbitrary strings.
 *
 * <p>Optionally ({@code wordIds}) a word token also gets an identity: the sum of two rows of a
 * learned table of {@value #WORD_IDS} hashed buckets, for every word without a quote (the quoted strings of the
 * OCR world are letters to draw, not meanings). Bags of (symbol, position) pairs make words that
 * share pairs share most of their embedding: "red" is two thirds of "reads", "black" half of
 * "blue", and the first base learned the frequent one of each pair and confused the other with it.
 * The identity row enters with a gain of {@value #WORD_ID_GAIN} (its one-hot entries), so that a
 * zero-initialised table grown onto a trained encoder moves as fast as the rest.
 * The empty prompt (the unconditional prompt of classifier-free guidance) is the begin token
 * alone. Parameters live under {@code text.*}.
 */
public final class CharTextEncoder {

  /** Characters kept from a prompt; the rest is cut off. */
  public static final int MAX_CHARS = 64;
  /** Symbols: 0 padding, 1 begin, 2..96 printable ASCII 32..126, 97 unknown. */
  public static final int VOCABULARY = 98;
  /** Characters of a word that its word token sees (and in-word positions of character tokens). */
  public static final int WORD_CHARS = 12;
  /** Hash buckets of the word identities (a power of two). */
  public static final int WORD_IDS = 1024;
  /** The value of a word's identity one-hot entry (a learning-rate gain for the identity table). */
  static final float WORD_ID_GAIN = 10f;
  private static final float MASKED = -1e4f;

  private final int width;
  private final int layers;
  private final int heads;
  private final boolean wordIds;

  /**
   * One batch of prompts as engine arrays: {@code length} character tokens (begin included) then
   * {@code words} word tokens per prompt, padded; masks cover the concatenation. {@code wordIds} is
   * null without word identities.
   */
  public record Tokens(NDArray oneHot, NDArray inWord, NDArray wordBags, NDArray wordIds, NDArray additiveMask,
      NDArray poolMask, int length, int words) {}

  public CharTextEncoder(int width, int layers, int heads, boolean wordIds) {
    this.width = width;
    this.layers = layers;
    this.heads = heads;
    this.wordIds = wordIds;
  }

  /**
   * Multiply-add FLOPs (2 per multiply-add) of encoding one prompt of {@code chars} symbols (begin
   * token included) and {@code words} words: embeddings and the transformer layers' matrix products.
   */
  public long flops(int chars, int words) {
    long d = width;
    long l = chars + words;
    return 2L * chars * (VOCABULARY + WORD_CHARS) * d
        + 2L * words * (VOCABULARY * WORD_CHARS + (wordIds ? WORD_IDS : 0)) * d
        + layers * (2 * l * d * 3 * d + 2 * l * d * d + 2 * 2 * l * l * d + 2 * 2 * l * d * 4 * d);
  }

  /**
   * The two identity buckets of a word (the low and the next ten bits of its FNV-1a hash), or null
   * for a quoted word, which has none. Its identity is the sum of both rows: two words that share
   * one bucket still differ by the other (none of the worlds' 47 prompt words share both).
   */
  static int[] wordIds(String word) {
    if (word.indexOf('"') >= 0) {
      return null;
    }
    int h = 0x811c9dc5;
    for (int i = 0; i < word.length(); i++) {
      h = (h ^ word.charAt(i)) * 0x01000193;
    }
    return new int[] {h & (WORD_IDS - 1), (h >>> 10) & (WORD_IDS - 1)};
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
    p.put("text.in_word", new int[] {WORD_CHARS, width}, gaussians(random, WORD_CHARS * width, 0.5));
    // a word token sums up to WORD_CHARS rows: scaled so that it starts at about unit variance
    p.put("text.word", new int[] {VOCABULARY * WORD_CHARS, width}, gaussians(random, VOCABULARY * WORD_CHARS * width, 1 / Math.sqrt(5)));
    if (wordIds) { // zero: a table grown onto a trained encoder changes nothing at first (its gradient needs no value)
      p.put("text.word_id", new int[] {WORD_IDS, width}, new float[WORD_IDS * width]);
    }
    for (int l = 0; l < layers; l++) {
      TransformerOps.putLinear(p, random, "text.layer" + l + ".attn.qkv", width, 3 * width, false);
      TransformerOps.putLinear(p, random, "text.layer" + l + ".attn.out", width, width, false);
      TransformerOps.putMlp(p, random, "text.layer" + l + ".mlp", width, 4 * width);
    }
  }

  private static float[] gaussians(SplittableRandom random, int n, double scale) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (scale * gaussian(random));
    }
    return out;
  }

  private static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** One-hot symbols, in-word positions, word bags and masks, padded to the longest prompt of the batch. */
  public Tokens tokenize(List<String> prompts, NDManager manager) {
    int batch = prompts.size();
    int length = 1;
    int words = 1;
    List<List<int[]>> spans = new java.util.ArrayList<>(batch);
    for (String s : prompts) {
      String kept = s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) : s;
      length = Math.max(length, 1 + kept.length());
      List<int[]> w = wordSpans(kept);
      spans.add(w);
      words = Math.max(words, w.size());
    }
    int bag = VOCABULARY * WORD_CHARS;
    float[] oneHot = new float[batch * length * VOCABULARY];
    float[] inWord = new float[batch * length * WORD_CHARS];
    float[] bags = new float[batch * words * bag];
    float[] ids = wordIds ? new float[batch * words * WORD_IDS] : null;
    int total = length + words;
    float[] additive = new float[batch * total];
    float[] pool = new float[batch * total];
    for (int b = 0; b < batch; b++) {
      String s = prompts.get(b);
      int n = 1 + Math.min(s.length(), MAX_CHARS);
      for (int i = 0; i < length; i++) {
        int sym = i == 0 ? 1 : i < n ? symbol(s.charAt(i - 1)) : 0;
        oneHot[(b * length + i) * VOCABULARY + sym] = 1f;
        additive[b * total + i] = i < n ? 0f : MASKED;
      }
      pool[b * total] = 1f; // the begin token
      List<int[]> w = spans.get(b);
      for (int k = 0; k < words; k++) {
        boolean present = k < w.size();
        additive[b * total + length + k] = present ? 0f : MASKED;
        pool[b * total + length + k] = present ? 1f : 0f;
        if (!present) {
          continue;
        }
        int[] span = w.get(k);
        int[] id = ids == null ? null : wordIds(s.substring(span[0], span[1]));
        if (id != null) {
          for (int bucket : id) {
            ids[(b * words + k) * WORD_IDS + bucket] += WORD_ID_GAIN;
          }
        }
        for (int j = 0; j < span[1] - span[0]; j++) {
          int pos = Math.min(j, WORD_CHARS - 1);
          inWord[(b * length + 1 + span[0] + j) * WORD_CHARS + pos] = 1f;
          if (j < WORD_CHARS) {
            bags[(b * words + k) * bag + symbol(s.charAt(span[0] + j)) * WORD_CHARS + j] = 1f;
          }
        }
      }
    }
    return new Tokens(manager.create(oneHot, new Shape(batch, length, VOCABULARY)),
        manager.create(inWord, new Shape(batch, length, WORD_CHARS)), manager.create(bags, new Shape(batch, words, bag)),
        ids == null ? null : manager.create(ids, new Shape(batch, words, WORD_IDS)),
        manager.create(additive, new Shape(batch, 1, 1, total)), manager.create(pool, new Shape(batch, total, 1)), length, words);
  }

  /**
   * Where each character of the word {@code span} of {@code s} stands across the drawn word: letter
   * {@code q} of the {@code Q} letters of a quoted word at {@code (q + 0.5) / Q}, the renderer
   * fitting the word to the canvas's width; NaN for quotes, punctuation and every character of a
   * word without a quote.
   */
  static double[] letterPlaces(String s, int[] span) {
    double[] places = new double[span[1] - span[0]];
    java.util.Arrays.fill(places, Double.NaN);
    if (s.substring(span[0], span[1]).indexOf('"') < 0) {
      return places;
    }
    int letters = 0;
    for (int j = span[0]; j < span[1] && j < MAX_CHARS; j++) {
      letters += Character.isLetterOrDigit(s.charAt(j)) ? 1 : 0;
    }
    int q = 0;
    for (int j = span[0]; j < span[1] && j < MAX_CHARS; j++) {
      if (Character.isLetterOrDigit(s.charAt(j))) {
        places[j - span[0]] = (q++ + 0.5) / letters;
      }
    }
    return places;
  }

  /**
   * The {@link #letterPlaces places} of a batch's tokens as laid out by {@link #tokenize}
   * ({@code length} character tokens, begin first, then {@code words} word tokens): NaN for every
   * token that is not a letter of a quoted word.
   */
  public static double[] tokenLetterPlaces(List<String> prompts, int length, int words) {
    int total = length + words;
    double[] out = new double[prompts.size() * total];
    java.util.Arrays.fill(out, Double.NaN);
    for (int b = 0; b < prompts.size(); b++) {
      String s = prompts.get(b);
      String kept = s.length() > MAX_CHARS ? s.substring(0, MAX_CHARS) : s;
      for (int[] span : wordSpans(kept)) {
        double[] places = letterPlaces(kept, span);
        for (int j = 0; j < places.length; j++) {
          out[b * total + 1 + span[0] + j] = places[j];
        }
      }
    }
    return out;
  }

  /** {@code [start, end)} character ranges of the whitespace-separated words of {@code s}. */
  static List<int[]> wordSpans(String s) {
    List<int[]> out = new java.util.ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < s.length() && !Character.isWhitespace(s.charAt(i))) {
        i++;
      }
      if (i > start) {
        out.add(new int[] {start, i});
      }
    }
    return out;
  }

  /** Encoded tokens {@code [B, length + words, width]}: characters, then words (padding rows are garbage; use the masks). */
  public NDArray encode(Map<String, NDArray> p, Tokens tokens) {
    float[] positions = new float[tokens.length() * width];
    for (int i = 0; i < tokens.length(); i++) {
      System.arraycopy(TransformerOps.sinusoid(i, width), 0, positions, i * width, width);
    }
    NDManager manager = tokens.oneHot().getManager();
    NDArray chars = tokens.oneHot().matMul(p.get("text.embedding"))
        .add(manager.create(positions, new Shape(1, tokens.length(), width)))
        .add(tokens.inWord().matMul(p.get("text.in_word")));
    NDArray words = tokens.wordBags().matMul(p.get("text.word"));
    if (tokens.wordIds() != null) {
      words = words.add(tokens.wordIds().matMul(p.get("text.word_id")));
    }
    NDArray h = ai.djl.ndarray.NDArrays.concat(new ai.djl.ndarray.NDList(chars, words), 1);
    for (int l = 0; l < layers; l++) {
      String name = "text.layer" + l;
      h = h.add(TransformerOps.selfAttention(p, name + ".attn", TransformerOps.layerNorm(h), heads, tokens.additiveMask()));
      h = h.add(TransformerOps.mlp(p, name + ".mlp", TransformerOps.layerNorm(h)));
    }
    return TransformerOps.layerNorm(h);
  }

  /** The pooled prompt {@code [B, width]}: the mean of the begin token and the word tokens. */
  public static NDArray pool(NDArray encoded, Tokens tokens) {
    return encoded.mul(tokens.poolMask()).sum(new int[] {1}).div(tokens.poolMask().sum(new int[] {1}));
  }
}
