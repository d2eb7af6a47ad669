package ram.model;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Cross-attention from a U-Net feature map at half resolution (a cell is 2 x 2 pixels) to the
 * prompt's tokens, in which each image column starts out attending to the letters that stand at
 * its place across the drawn word.
 *
 * <p>Why: the base reads the prompt only at 8 x 8, where a cell is 4 pixels and a letter 5-15, and
 * `experiments/run renoise --world text` showed that it brings back a word's box, colour and stroke weight
 * but not its letters. Here queries add a learned map of their column's place and keys add a
 * learned map of each quoted letter's {@link CharTextEncoder#letterPlaces place}, both described
 * by the same {@value #PLACES} Gaussian bumps; the two maps start as the same scaled identity, so
 * the attention logits start with a bump of about {@code 5 exp(-d^2 / 4)} for a letter {@code d}
 * columns away, and training may reshape or drop that prior. The output projection starts at zero,
 * so a base grown with letter attention computes what it did. Parameters {@code <name>.q},
 * {@code .kv}, {@code .qplace}, {@code .kplace}, {@code .out}.
 */
final class LetterAttention {

  /** Place features: Gaussian bumps (unit width) at the centres of this many equal parts of the width. */
  static final int PLACES = 16;
  /** Head width (narrower maps have one head). */
  static final int HEAD = 32;
  /** The initial scale of both place maps. */
  static final float GAIN = 4f;

  private LetterAttention() {}

  /** Adds the parameters of a letter attention over {@code channels} reading a context of {@code contextWidth}. */
  static void put(ParameterSet p, SplittableRandom random, String name, int channels, int contextWidth) {
    if (channels > HEAD && channels % HEAD != 0) {
      throw new IllegalArgumentException("letter attention " + name + ": channels " + channels + " not a multiple of " + HEAD);
    }
    int head = Math.min(HEAD, channels);
    TransformerOps.putLinear(p, random, name + ".q", channels, channels, false);
    TransformerOps.putLinear(p, random, name + ".kv", contextWidth, 2 * channels, false);
    float[] identity = new float[PLACES * channels];
    for (int j = 0; j < PLACES; j++) {
      for (int h = 0; h < channels / head; h++) {
        identity[j * channels + h * head + j % head] = GAIN;
      }
    }
    p.put(name + ".qplace", new int[] {PLACES, channels}, identity);
    p.put(name + ".kplace", new int[] {PLACES, channels}, identity.clone());
    TransformerOps.putLinear(p, random, name + ".out", channels, channels, true);
  }

  /** The place features {@code [B, tokens, PLACES]} of a batch's tokens: zero for all but quoted letters. */
  static NDArray keyPlaces(List<String> prompts, CharTextEncoder.Tokens tokens, NDManager manager) {
    double[] places = CharTextEncoder.tokenLetterPlaces(prompts, tokens.length(), tokens.words());
    float[] out = new float[places.length * PLACES];
    for (int i = 0; i < places.length; i++) {
      if (!Double.isNaN(places[i])) {
        bumps(places[i] * PLACES, out, i * PLACES);
      }
    }
    return manager.create(out, new Shape(prompts.size(), tokens.length() + tokens.words(), PLACES));
  }

  /** {@code map [B, C, G, G]} plus the attention's output, same shape. */
  static NDArray apply(Map<String, NDArray> p, String name, NDArray map, NDArray context, NDArray keyPlaces,
      NDArray keyMask) {
    long b = map.getShape().get(0);
    long c = map.getShape().get(1);
    int grid = (int) map.getShape().get(2);
    NDArray h = map.reshape(new Shape(b, c, (long) grid * grid)).transpose(0, 2, 1);
    float[] columns = new float[grid * grid * PLACES];
    for (int r = 0; r < grid; r++) {
      for (int col = 0; col < grid; col++) {
        bumps((col + 0.5) / grid * PLACES, columns, (r * grid + col) * PLACES);
      }
    }
    NDArray q = TransformerOps.linear(p, name + ".q", TransformerOps.layerNorm(h))
        .add(map.getManager().create(columns, new Shape(1, (long) grid * grid, PLACES)).matMul(p.get(name + ".qplace")));
    NDList kv = TransformerOps.linear(p, name + ".kv", context).split(2, 2);
    NDArray k = kv.get(0).add(keyPlaces.matMul(p.get(name + ".kplace")));
    NDArray o = TransformerOps.attend(q, k, kv.get(1), (int) Math.max(1, c / HEAD), keyMask).reshape(new Shape(b, (long) grid * grid, c));
    return h.add(TransformerOps.linear(p, name + ".out", o)).transpose(0, 2, 1).reshape(new Shape(b, c, grid, grid));
  }

  /** Writes {@code exp(-(u - (j + 0.5))^2 / 2)} for the {@value #PLACES} centres {@code j} at {@code offset}. */
  static void bumps(double u, float[] out, int offset) {
    for (int j = 0; j < PLACES; j++) {
      double d = u - (j + 0.5);
      out[offset + j] = (float) Math.exp(-d * d / 2);
    }
  }

  /** Multiply-add FLOPs (2 per multiply-add) of one image's letter attention over {@code cells} cells. */
  static long flops(long cells, long channels, long contextWidth, long tokens) {
    return 2 * cells * channels * channels * 2 + 2 * tokens * contextWidth * 2 * channels
        + 2 * 2 * cells * tokens * channels + 2 * (cells + tokens) * PLACES * channels;
  }
}
