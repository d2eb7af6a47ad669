package ram.model;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * A small text-conditional U-Net for the 32 x 32 RGB canvas of the two synthetic worlds.
 *
 * <p>Convolutional residual blocks at 32 x 32 ({@code c} channels) and 16 x 16 ({@code 2c}) on the
 * way down and up, joined by skip connections, and at 8 x 8 ({@code width} channels) one residual
 * block followed by {@code blocks} DiT blocks ({@link TransformerOps#ditBlock}: self-attention
 * over the 64 positions with fixed 2-D sinusoidal positions, cross-attention to the
 * {@link CharTextEncoder}'s tokens, MLP). Every residual block is modulated per channel by the
 * adaLN conditioning (time and pooled prompt, {@link TransformerOps#condition}).
 *
 * <p>Why: the DiT base ({@link DitVelocityNetwork}) learned colour, place and size within the
 * CPU budget but not the geometry of an 8-pixel shape; convolutions at full resolution carry the
 * locality that geometry needs from the first step, while the attention at 8 x 8 keeps the text
 * pathway (words, positions, letters) of the DiT. Residual blocks' second convolution and the
 * output convolution start at zero. Same text encoder and parameter names ({@code text.*},
 * {@code time.*}, {@code prompt_pool}) as the DiT, so a DiT's trained encoder can seed it.
 */
public final class UNetVelocityNetwork implements VelocityNetwork, FlopCounted {

  /** Hyper-parameters of one U-Net size: {@code channels} at full resolution, {@code width} at 8 x 8. */
  public record Config(int imageSize, int channels, int width, int blocks, int heads, int textLayers, int timeFeatures,
      boolean letterAttention) {

    public Config(int imageSize, int channels, int width, int blocks, int heads, int textLayers, int timeFeatures) {
      this(imageSize, channels, width, blocks, heads, textLayers, timeFeatures, false);
    }

    /**
     * The architecture name, encoding the size: e.g. {@code unet-32px-c32-d128-t2-wi}; {@code -la}:
     * letter attention at half resolution ({@link LetterAttention}).
     */
    public String architecture() {
      return "unet-" + imageSize + "px-c" + channels + "-d" + width + "-t" + blocks + "-wi" + (letterAttention ? "-la" : "");
    }
  }

  /** The U-Net stage of pretraining, before letter attention: about 2.3 M parameters. */
  public static final Config BASE = new Config(32, 32, 128, 2, 4, 2, 128);
  /** The shipped base: {@link #BASE} with letter attention at 16 x 16 (its out projections start at zero, so {@link #BASE} grown into it computes what it did). */
  public static final Config BASE_LETTERS = new Config(32, 32, 128, 2, 4, 2, 128, true);
  /** The one small network, for fast tests (a few training epochs, LoRA, gradient checks). */
  public static final Config SMALL = new Config(32, 8, 64, 1, 2, 1, 64);

  private static final int CHANNELS = 3;
  private static final int GROUPS = 8;
  private final Config config;
  private final CharTextEncoder text;
  private final List<String> names;
  private final int low;
  private final float[] positions;

  public UNetVelocityNetwork(Config config) {
    if (config.imageSize() % 4 != 0 || config.channels() % GROUPS != 0 || config.width() % GROUPS != 0
        || config.width() % config.heads() != 0) {
      throw new IllegalArgumentException("U-Net config " + config
          + ": image size must be a multiple of 4, channels and width of " + GROUPS + ", width of the heads");
    }
    this.config = config;
    this.text = new CharTextEncoder(config.width(), config.textLayers(), config.heads(), true);
    this.low = config.imageSize() / 4;
    this.positions = TransformerOps.positions2d(low, config.width());
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

  @Override
  public ParameterSet initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int c = config.channels();
    int d = config.width();
    ParameterSet p = new ParameterSet();
    text.initialize(p, random);
    TransformerOps.putCondition(p, random, config.timeFeatures(), d);
    ConvOps.putConv(p, random, "in", CHANNELS, c, 3, false);
    putResBlock(p, random, "enc1", c, c);
    ConvOps.putConv(p, random, "down1", c, 2 * c, 3, false);
    putResBlock(p, random, "enc2", 2 * c, 2 * c);
    if (config.letterAttention()) {
      LetterAttention.put(p, random, "enc2.letters", 2 * c, d);
      LetterAttention.put(p, random, "dec2.letters", 2 * c, d);
    }
    ConvOps.putConv(p, random, "down2", 2 * c, d, 3, false);
    putResBlock(p, random, "mid", d, d);
    for (int b = 0; b < config.blocks(); b++) {
      TransformerOps.putDitBlock(p, random, "block" + b, d);
    }
    ConvOps.putConv(p, random, "up2", d, 2 * c, 3, false);
    putResBlock(p, random, "dec2", 4 * c, 2 * c);
    ConvOps.putConv(p, random, "up1", 2 * c, c, 3, false);
    putResBlock(p, random, "dec1", 2 * c, c);
    ConvOps.putConv(p, random, "out", c, CHANNELS, 3, true);
    return p;
  }

  @Override
  public Object encodePrompts(NDList parameters, List<String> prompts) {
    return encode(TransformerOps.byName(names, parameters), prompts, parameters.get(0).getManager());
  }

  private DitVelocityNetwork.EncodedPrompts encode(Map<String, NDArray> p, List<String> prompts, NDManager manager) {
    return DitVelocityNetwork.encode(text, p, prompts, manager);
  }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts) {
    return velocity(parameters, x, t, prompts, null);
  }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts, Object encoded) {
    Map<String, NDArray> p = TransformerOps.byName(names, parameters);
    long batch = x.getShape().get(0);
    if (prompts.size() != batch) {
      throw new IllegalArgumentException(prompts.size() + " prompts for a batch of " + batch);
    }
    DitVelocityNetwork.EncodedPrompts e = encoded instanceof DitVelocityNetwork.EncodedPrompts ep ? ep
        : encode(p, prompts, x.getManager());
    NDArray condition = TransformerOps.condition(p, t, config.timeFeatures(), e.pooled());
    NDArray h1 = resBlock(p, "enc1", ConvOps.conv(p, "in", x, 1), condition);
    NDArray h2 = resBlock(p, "enc2", ConvOps.conv(p, "down1", h1, 2), condition);
    NDArray places = config.letterAttention() ? LetterAttention.keyPlaces(prompts, e.tokens(), x.getManager()) : null;
    if (places != null) {
      h2 = LetterAttention.apply(p, "enc2.letters", h2, e.context(), places, e.tokens().additiveMask());
    }
    NDArray h3 = resBlock(p, "mid", ConvOps.conv(p, "down2", h2, 2), condition);
    h3 = attend(p, h3, condition, e);
    NDArray u2 = ConvOps.upsample2(ConvOps.conv(p, "up2", h3, 1));
    if (places != null) {
      u2 = LetterAttention.apply(p, "dec2.letters", u2, e.context(), places, e.tokens().additiveMask());
    }
    u2 = resBlock(p, "dec2", NDArrays.concat(new NDList(u2, h2), 1), condition);
    NDArray u1 = ConvOps.upsample2(ConvOps.conv(p, "up1", u2, 1));
    u1 = resBlock(p, "dec1", NDArrays.concat(new NDList(u1, h1), 1), condition);
    return ConvOps.conv(p, "out", TransformerOps.silu(ConvOps.groupNorm(u1, GROUPS)), 1);
  }

  /** The DiT blocks over the 8 x 8 feature map as 64 tokens with 2-D positions. */
  private NDArray attend(Map<String, NDArray> p, NDArray map, NDArray condition, DitVelocityNetwork.EncodedPrompts e) {
    long b = map.getShape().get(0);
    int d = config.width();
    NDArray h = map.reshape(new Shape(b, d, (long) low * low)).transpose(0, 2, 1)
        .add(map.getManager().create(positions, new Shape(1, (long) low * low, d)));
    for (int i = 0; i < config.blocks(); i++) {
      h = TransformerOps.ditBlock(p, "block" + i, h, condition, e.context(), e.tokens().additiveMask(), config.heads());
    }
    return h.transpose(0, 2, 1).reshape(new Shape(b, d, low, low));
  }

  /** {@code skip(x) + conv2(silu(modulate(norm(conv1(silu(norm(x)))))))}, modulated by the conditioning. */
  private static NDArray resBlock(Map<String, NDArray> p, String name, NDArray x, NDArray condition) {
    NDArray h = ConvOps.conv(p, name + ".conv1", TransformerOps.silu(ConvOps.groupNorm(x, GROUPS)), 1);
    NDList mod = TransformerOps.linear(p, name + ".cond", condition).split(2, 1);
    h = ConvOps.modulate(ConvOps.groupNorm(h, GROUPS), mod.get(0), mod.get(1));
    h = ConvOps.conv(p, name + ".conv2", TransformerOps.silu(h), 1);
    NDArray skip = p.containsKey(name + ".skip.weight") ? ConvOps.conv(p, name + ".skip", x, 1) : x;
    return skip.add(h);
  }

  private static void putResBlock(ParameterSet p, SplittableRandom random, String name, int in, int out) {
    ConvOps.putConv(p, random, name + ".conv1", in, out, 3, false);
    TransformerOps.putLinear(p, random, name + ".cond", p.shape("time.fc2.weight")[1], 2 * out, true);
    ConvOps.putConv(p, random, name + ".conv2", out, out, 3, true);
    if (in != out) {
      ConvOps.putConv(p, random, name + ".skip", in, out, 1, false);
    }
  }

  @Override
  public long textFlops(int chars, int words) {
    return text.flops(chars, words);
  }

  @Override
  public long imageFlops(int contextTokens) {
    long tokens = contextTokens;
    long c = config.channels();
    long d = config.width();
    long full = (long) config.imageSize() * config.imageSize();
    long half = full / 4;
    long n = full / 16;
    long convs = full * 9 * (CHANNELS * c + 2 * c * c + c * CHANNELS) // in, enc1, out
        + half * 9 * (c * 2 * c + 2 * 4 * c * c) // down1, enc2
        + n * 9 * (2 * c * d + 2 * d * d + d * 2 * c) // down2, mid, up2 (at 8 x 8)
        + half * 9 * (4 * c * 2 * c + 4 * c * c + 2 * c * c) + half * 4 * c * 2 * c // dec2, up1 (at 16 x 16), skip
        + full * 9 * (2 * c * c + c * c) + full * 2 * c * c; // dec1, skip
    long block = 2 * d * 6 * d + 2 * n * d * 3 * d + 2 * 2 * n * n * d + 2 * n * d * d
        + 2 * n * d * d + 2 * tokens * d * 2 * d + 2 * 2 * n * tokens * d + 2 * n * d * d + 2 * 2 * n * d * 4 * d;
    long stem = 2 * (config.timeFeatures() * d + d * d + d * d);
    long letters = config.letterAttention() ? 2 * LetterAttention.flops(half, 2 * c, d, tokens) : 0;
    return stem + 2 * convs + config.blocks() * block + letters;
  }
}
