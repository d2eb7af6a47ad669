package ram.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

/**
 * Low-rank adapters (LoRA) as a parameter-set transform: a {@link VelocityNetwork} whose own
 * parameters are only the adapter matrices {@code lora.<layer>.A [in, r]} and
 * {@code lora.<layer>.B [r, out]} of the target layers, while the base weights are a frozen
 * {@link ParameterSet} held inside. Each forward pass uses {@code W + (alpha / r) A B} for every
 * target {@code W} and the base weights elsewhere, so gradients reach only A and B.
 *
 * <p>Because it is just another network over its own parameter set, the RAM loss, the optimizer,
 * the EMA, checkpoints and pipelines need no change to fine-tune with LoRA instead of fully.
 * B starts at zero, so {@link #initialize} gives exactly the base model: the frozen reference of
 * a LoRA run is the base with the adapters off, i.e. this network at its initial parameters (or
 * the base network with the base weights).
 */
public final class LoraNetwork implements VelocityNetwork {

  /**
   * Adapter settings.
   *
   * @param rank r, the inner dimension of A B
   * @param alpha the scale numerator: the update is {@code (alpha / r) A B}
   * @param targets regular expressions; a layer (a 2-D {@code <layer>.weight}) is adapted when its
   *     whole name matches one, e.g. {@code block\\d+\\.attn\\.qkv}
   */
  public record Config(int rank, double alpha, List<String> targets) implements Serializable {

    public Config {
      targets = List.copyOf(targets);
    }

    /** The attention (self and cross) and MLP projections of every DiT block; the text encoder stays frozen. */
    public static final String DIT_BLOCKS = "block\\d+\\.(attn\\.(qkv|out)|cross\\.(q|kv|out)|mlp\\.fc[12])";

    /** Adapters on {@link #DIT_BLOCKS}. */
    public static Config allLinear(int rank, double alpha) {
      return new Config(rank, alpha, List.of(DIT_BLOCKS));
    }
  }

  private final VelocityNetwork base;
  private final ParameterSet baseParameters;
  private final Config config;
  private final List<String> baseNames;
  private final List<String> targetLayers;
  private final List<Integer> targetIndices;

  /** Adapts {@code base} at {@code baseParameters}; fails if no 2-D weight matches a target. */
  public LoraNetwork(VelocityNetwork base, ParameterSet baseParameters, Config config) {
    if (config.rank() < 1) {
      throw new IllegalArgumentException("LoRA rank must be >= 1, got " + config.rank());
    }
    this.base = base;
    this.baseParameters = baseParameters;
    this.config = config;
    this.baseNames = baseParameters.names();
    List<String> layers = new ArrayList<>();
    List<Integer> indices = new ArrayList<>();
    for (int i = 0; i < baseNames.size(); i++) {
      String name = baseNames.get(i);
      if (!name.endsWith(".weight") || baseParameters.shape(name).length != 2) {
        continue;
      }
      String layer = name.substring(0, name.length() - ".weight".length());
      if (config.targets().stream().anyMatch(layer::matches)) {
        layers.add(layer);
        indices.add(i);
      }
    }
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("LoRA targets " + config.targets() + " match no 2-D weight of " + base.architecture());
    }
    this.targetLayers = Collections.unmodifiableList(layers);
    this.targetIndices = indices;
  }

  /** The adapted layers, in the base's parameter order. */
  public List<String> targetLayers() {
    return targetLayers;
  }

  @Override
  public String architecture() {
    return architecture(base.architecture(), config);
  }

  /** The architecture name of adapters {@code config} over a {@code baseArchitecture} network, as checkpoints record it. */
  public static String architecture(String baseArchitecture, Config config) {
    return baseArchitecture + "+lora-r" + config.rank() + "-a" + config.alpha() + "-" + String.join(",", config.targets());
  }

  @Override
  public int[] sampleShape() {
    return base.sampleShape();
  }

  @Override
  public boolean conditional() {
    return base.conditional();
  }

  /** A uniform in +-1/sqrt(in) (PyTorch LoRA's Kaiming-uniform bound), B zero. */
  @Override
  public ParameterSet initialize(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    ParameterSet p = new ParameterSet();
    for (String layer : targetLayers) {
      int[] shape = baseParameters.shape(layer + ".weight");
      float[] a = new float[shape[0] * config.rank()];
      double bound = 1.0 / Math.sqrt(shape[0]);
      for (int i = 0; i < a.length; i++) {
        a[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
      p.put("lora." + layer + ".A", new int[] {shape[0], config.rank()}, a);
      p.put("lora." + layer + ".B", new int[] {config.rank(), shape[1]}, new float[config.rank() * shape[1]]);
    }
    return p;
  }

  /** What {@link #encodePrompts} computes once for a sampler's batch: the adapted weights and the base's encoding under them. */
  private record Encoded(NDList weights, Object prompts) {}

  /**
   * The adapted weights and the base's prompt encoding under them: both depend on the parameters
   * only, so a sampler computes them once per batch, not at every step.
   */
  @Override
  public Object encodePrompts(NDList parameters, List<String> prompts) {
    NDList weights = adaptedWeights(parameters, parameters.get(0).getManager());
    return new Encoded(weights, base.encodePrompts(weights, prompts));
  }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts) {
    return velocity(parameters, x, t, prompts, null);
  }

  /** With {@code encoded} from {@link #encodePrompts} of these {@code parameters}, its adapted weights are used as they are. */
  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts, Object encoded) {
    if (encoded instanceof Encoded e) {
      return base.velocity(e.weights(), x, t, prompts, e.prompts());
    }
    return base.velocity(adaptedWeights(parameters, x.getManager()), x, t, prompts, null);
  }

  /** The base weights in {@code manager}, with {@code (alpha / r) A B} added to every target. */
  private NDList adaptedWeights(NDList parameters, NDManager manager) {
    if (parameters.size() != 2 * targetLayers.size()) {
      throw new IllegalArgumentException("expected " + 2 * targetLayers.size() + " LoRA arrays, got " + parameters.size());
    }
    NDList weights = baseParameters.toNDList(manager, ParameterTraffic.Kind.FROZEN_UPLOAD); // every pass: the base is not kept in the engine
    float scale = (float) (config.alpha() / config.rank());
    for (int i = 0; i < targetLayers.size(); i++) {
      int index = targetIndices.get(i);
      NDArray delta = parameters.get(2 * i).matMul(parameters.get(2 * i + 1)).mul(Scalars.of(weights.get(index), scale));
      weights.set(index, weights.get(index).add(delta));
    }
    return weights;
  }

  /** The base weights with the adapters merged in, for the base network (export, fast sampling). */
  public ParameterSet merge(ParameterSet adapters) {
    ParameterSet merged = new ParameterSet();
    double scale = config.alpha() / config.rank();
    for (String name : baseNames) {
      float[] w = baseParameters.get(name).clone();
      String layer = name.endsWith(".weight") ? name.substring(0, name.length() - ".weight".length()) : null;
      if (layer != null && targetLayers.contains(layer)) {
        float[] a = adapters.get("lora." + layer + ".A");
        float[] b = adapters.get("lora." + layer + ".B");
        int[] shape = baseParameters.shape(name);
        int r = config.rank();
        for (int i = 0; i < shape[0]; i++) {
          for (int j = 0; j < shape[1]; j++) {
            double s = 0;
            for (int k = 0; k < r; k++) {
              s += a[i * r + k] * b[k * shape[1] + j];
            }
            w[i * shape[1] + j] += (float) (scale * s);
          }
        }
      }
      merged.put(name, baseParameters.shape(name), w);
    }
    return merged;
  }
}
