package ram.model;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A small text-conditional diffusion transformer (DiT) for the 32 x 32 RGB canvas of the two
 * synthetic worlds.
 *
 * <p>The image is cut into {@code patch x patch} patches (patch 4: 64 tokens), embedded linearly
 * with fixed 2-D sinusoidal positions, and passed through {@code depth} blocks of: adaLN-Zero
 * modulated self-attention, cross-attention to the {@link CharTextEncoder}'s characters, and an
 * adaLN-Zero modulated MLP. The conditioning vector of adaLN is the time embedding plus a linear
 * map of the pooled prompt encoding (so global attributes such as colour reach every token
 * directly). The pooled prompt is the mean of the encoder's begin and word tokens. A zero-initialised adaLN final layer maps tokens back to pixel velocities.
 *
 * <p>Written with plain NDArray operations on weights passed in by name, like
 * {@link ToyVelocityMlp}, so any {@link ParameterSet} of its layout (policy, reference, EMA,
 * or LoRA-merged weights) drives it.
 */
public final class DitVelocityNetwork implements VelocityNetwork, FlopCounted {

  /** Hyper-parameters of one DiT size. */
  public record Config(int imageSize, int patch, int width, int depth, int heads, int textLayers, int timeFeatures,
      boolean wordIds) {

    /**
     * The architecture name, encoding the size: e.g. {@code dit-32px-p4-d128-l4-wi} ({@code -w}: word
     * tokens in the text encoder; {@code -wi}: with word identities, see {@link CharTextEncoder}).
     */
    public String architecture() {
      return "dit-" + imageSize + "px-p" + patch + "-d" + width + "-l" + depth + (wordIds ? "-wi" : "-w");
    }
  }

  /** The DiT base's size (pretraining stage 3, whose text pathway seeds the U-Net): about 2.2 M parameters. */
  public static final Config BASE = new Config(32, 4, 128, 4, 4, 2, 128, true);
  /** The DiT base before word identities: pretraining stages 1 and 2, which stage 3 grows. */
  public static final Config BASE_WORD_BAGS = new Config(32, 4, 128, 4, 4, 2, 128, false);

  private static final int CHANNELS = 3;
  private final Config config;
  private final CharTextEncoder text;
  private final List<String> names;
  private final int grid;
  private final int patchDim;
  private final float[] positions;

  public DitVelocityNetwork(Config config) {
    if (config.imageSize() % config.patch() != 0 || config.width() % config.heads() != 0) {
      throw new IllegalArgumentException("DiT config " + config + ": image size must be a multiple of the patch and width of the heads");
    }
    this.config = config;
    this.text = new CharTextEncoder(config.width(), config.textLayers(), config.heads(), config.wordIds());
    this.grid = config.imageSize() / config.patch();
    this.patchDim = CHANNELS * config.patch() * config.patch();
    this.positions = TransformerOps.positions2d(grid, config.width());
    this.names = initialize(0).names();
  }

  @Override
  public String architecture() {
    return config.architecture();
  }

  public Config config() {
    return config;
  }

  @Override
  public int[] sampleShape() {
    return new int[] {CHANNELS, config.imageSize(), config.imageSize()};
  }

  @Override
  public boolean conditional() {
    return true;
  }

  /**
   * Xavier-uniform linear layers; adaLN modulations, the output layer and the word-identity table
   * zero, so that a smaller network grown into this one
   * ({@link ParameterSet#grownInto}) starts computing exactly what it did.
   */
  @Override
  public ParameterSet initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int d = config.width();
    ParameterSet p = new ParameterSet();
    text.initialize(p, random);
    TransformerOps.putCondition(p, random, config.timeFeatures(), d);
    TransformerOps.putLinear(p, random, "patch_embed", patchDim, d, false);
    for (int b = 0; b < config.depth(); b++) {
      TransformerOps.putDitBlock(p, random, "block" + b, d);
    }
    TransformerOps.putLinear(p, random, "final.adaln", d, 2 * d, true);
    TransformerOps.putLinear(p, random, "final.out", d, patchDim, true);
    return p;
  }

  /** Parameter names in layout order. */
  public List<String> parameterNames() {
    return names;
  }

  /** The encoded prompts of a batch: tokens, the encoder's output and the pooled prompt. */
  record EncodedPrompts(CharTextEncoder.Tokens tokens, NDArray context, NDArray pooled) {}

  @Override
  public Object encodePrompts(NDList parameters, List<String> prompts) {
    return encode(TransformerOps.byName(names, parameters), prompts, parameters.get(0).getManager());
  }

  private EncodedPrompts encode(Map<String, NDArray> p, List<String> prompts, NDManager manager) {
    return encode(text, p, prompts, manager);
  }

  /** Tokenizes and encodes a batch of prompts with {@code text}: what both image networks attend to. */
  static EncodedPrompts encode(CharTextEncoder text, Map<String, NDArray> p, List<String> prompts, NDManager manager) {
    CharTextEncoder.Tokens tokens = text.tokenize(prompts, manager);
    NDArray context = text.encode(p, tokens);
    return new EncodedPrompts(tokens, context, CharTextEncoder.pool(context, tokens));
  }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts) {
    return velocity(parameters, x, t, prompts, null);
  }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts, Object encoded) {
    Map<String, NDArray> p = TransformerOps.byName(names, parameters);
    NDManager manager = x.getManager();
    int d = config.width();
    long batch = x.getShape().get(0);
    if (prompts.size() != batch) {
      throw new IllegalArgumentException(prompts.size() + " prompts for a batch of " + batch);
    }
    EncodedPrompts e = encoded instanceof EncodedPrompts ep ? ep : encode(p, prompts, manager);
    CharTextEncoder.Tokens tokens = e.tokens();
    NDArray context = e.context();
    NDArray condition = TransformerOps.condition(p, t, config.timeFeatures(), e.pooled());
    NDArray h = TransformerOps.linear(p, "patch_embed", patchify(x))
        .add(manager.create(positions, new Shape(1, (long) grid * grid, d)));
    for (int b = 0; b < config.depth(); b++) {
      h = TransformerOps.ditBlock(p, "block" + b, h, condition, context, tokens.additiveMask(), config.heads());
    }
    NDList mod = TransformerOps.chunks(TransformerOps.linear(p, "final.adaln", condition), 2);
    NDArray last = TransformerOps.modulate(TransformerOps.layerNorm(h), mod.get(0), mod.get(1));
    return unpatchify(TransformerOps.linear(p, "final.out", last), CHANNELS);
  }

  @Override
  public long textFlops(int chars, int words) {
    return text.flops(chars, words);
  }

  @Override
  public long imageFlops(int contextTokens) {
    long l = contextTokens;
    long d = config.width();
    long n = (long) grid * grid;
    long stem = 2 * (config.timeFeatures() * d + d * d + d * d) + 2 * n * patchDim * d;
    long block = 2 * d * 6 * d + 2 * n * d * 3 * d + 2 * 2 * n * n * d + 2 * n * d * d
        + 2 * n * d * d + 2 * l * d * 2 * d + 2 * 2 * n * l * d + 2 * n * d * d + 2 * 2 * n * d * 4 * d;
    long last = 2 * d * 2 * d + 2 * n * d * patchDim;
    return stem + config.depth() * block + last;
  }

  /** {@code [B, 3, H, W]} to {@code [B, tokens, 3 p p]}, tokens row-major over the patch grid. */
  private NDArray patchify(NDArray x) {
    long b = x.getShape().get(0);
    int ps = config.patch();
    return x.reshape(new Shape(b, CHANNELS, grid, ps, grid, ps)).transpose(0, 2, 4, 1, 3, 5)
        .reshape(new Shape(b, (long) grid * grid, patchDim));
  }

  /** {@code [B, tokens, channels p p]} to {@code [B, channels, H, W]}. */
  private NDArray unpatchify(NDArray tokens, int channels) {
    long b = tokens.getShape().get(0);
    int ps = config.patch();
    return tokens.reshape(new Shape(b, grid, grid, channels, ps, ps)).transpose(0, 3, 1, 4, 2, 5)
        .reshape(new Shape(b, channels, config.imageSize(), config.imageSize()));
  }
}
