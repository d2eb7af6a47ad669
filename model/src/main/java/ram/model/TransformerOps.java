package ram.model;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;

/**
 * The plain-NDArray building blocks of the transformer networks ({@link DitVelocityNetwork},
 * {@link CharTextEncoder}): linear layers, parameter-free layer norm, multi-head attention, MLPs
 * and adaLN modulation, each reading its weights by name from a map of engine arrays. Keeping
 * the weights outside (as {@link ParameterSet}s) is what lets one network serve as policy,
 * reference and EMA, and lets {@link LoraNetwork} rewrite weights before a forward pass.
 *
 * <p>Weight layout: a linear layer {@code name} has {@code name.weight [in, out]} (applied as
 * {@code x @ W}) and {@code name.bias [out]}.
 */
public final class TransformerOps {

  private TransformerOps() {}

  /** Engine arrays of a parameter list, by the names of the network's layout. */
  public static Map<String, NDArray> byName(List<String> names, NDList parameters) {
    if (parameters.size() != names.size()) {
      throw new IllegalArgumentException("expected " + names.size() + " parameter arrays, got " + parameters.size());
    }
    Map<String, NDArray> map = new java.util.HashMap<>(names.size() * 2);
    for (int i = 0; i < names.size(); i++) {
      map.put(names.get(i), parameters.get(i));
    }
    return map;
  }

  /** {@code x @ W + b} over the last axis. */
  public static NDArray linear(Map<String, NDArray> p, String name, NDArray x) {
    return x.matMul(p.get(name + ".weight")).add(p.get(name + ".bias"));
  }

  /** Layer norm over the last axis without affine parameters (eps 1e-6, as in DiT). */
  public static NDArray layerNorm(NDArray x) {
    return layerNorm(x, 1e-6f);
  }

  /** Layer norm over the last axis without affine parameters. */
  static NDArray layerNorm(NDArray x, float eps) {
    long d = x.getShape().get(x.getShape().dimension() - 1);
    NDArray ones = x.getManager().ones(new Shape(d), x.getDataType());
    NDArray zeros = x.getManager().zeros(new Shape(d), x.getDataType());
    return LayerNorm.layerNorm(x, new Shape(d), ones, zeros, eps).singletonOrThrow();
  }

  /** SiLU, {@code x * sigmoid(x)}. */
  public static NDArray silu(NDArray x) {
    return x.mul(Activation.sigmoid(x));
  }

  /** {@code x * (1 + scale) + shift} with per-row {@code [B, 1, d]} scale and shift. */
  public static NDArray modulate(NDArray x, NDArray shift, NDArray scale) {
    return x.mul(scale.add(1f)).add(shift);
  }

  /** Two-layer GELU MLP {@code name.fc1}, {@code name.fc2}. */
  public static NDArray mlp(Map<String, NDArray> p, String name, NDArray x) {
    return linear(p, name + ".fc2", Activation.gelu(linear(p, name + ".fc1", x)));
  }

  /**
   * Multi-head self-attention with a fused {@code name.qkv} projection and {@code name.out}.
   *
   * @param keyMask additive mask {@code [B, 1, 1, N]} (0 or a large negative number), or null
   */
  public static NDArray selfAttention(Map<String, NDArray> p, String name, NDArray x, int heads, NDArray keyMask) {
    long d = x.getShape().get(2);
    NDList qkv = linear(p, name + ".qkv", x).split(3, 2);
    NDArray o = attend(qkv.get(0), qkv.get(1), qkv.get(2), heads, keyMask);
    return linear(p, name + ".out", o.reshape(new Shape(x.getShape().get(0), x.getShape().get(1), d)));
  }

  /**
   * Multi-head cross-attention from {@code x} to {@code context}: {@code name.q}, fused
   * {@code name.kv}, {@code name.out}.
   */
  public static NDArray crossAttention(Map<String, NDArray> p, String name, NDArray x, NDArray context, int heads,
      NDArray keyMask) {
    long d = x.getShape().get(2);
    NDArray q = linear(p, name + ".q", x);
    NDList kv = linear(p, name + ".kv", context).split(2, 2);
    NDArray o = attend(q, kv.get(0), kv.get(1), heads, keyMask);
    return linear(p, name + ".out", o.reshape(new Shape(x.getShape().get(0), x.getShape().get(1), d)));
  }

  /** Scaled dot-product attention; returns {@code [B, N, H, d/H]} laid out for a reshape to {@code [B, N, d]}. */
  static NDArray attend(NDArray q, NDArray k, NDArray v, int heads, NDArray keyMask) {
    long b = q.getShape().get(0);
    long n = q.getShape().get(1);
    long l = k.getShape().get(1);
    long dh = q.getShape().get(2) / heads;
    NDArray qh = q.reshape(new Shape(b, n, heads, dh)).transpose(0, 2, 1, 3);
    NDArray kh = k.reshape(new Shape(b, l, heads, dh)).transpose(0, 2, 3, 1);
    NDArray vh = v.reshape(new Shape(b, l, heads, dh)).transpose(0, 2, 1, 3);
    NDArray scores = qh.matMul(kh).mul(Scalars.of(qh, 1.0 / Math.sqrt(dh)));
    if (keyMask != null) {
      scores = scores.add(keyMask);
    }
    return scores.softmax(-1).matMul(vh).transpose(0, 2, 1, 3);
  }

  /**
   * The adaLN conditioning vector {@code silu(time MLP(t) + prompt_pool(pooled))} {@code [B, d]}:
   * time and the pooled prompt, which reach every image token through the modulations.
   */
  public static NDArray condition(Map<String, NDArray> p, NDArray t, int timeFeatures, NDArray pooled) {
    NDArray time = linear(p, "time.fc2", silu(linear(p, "time.fc1", timeFeatures(t, timeFeatures))));
    return silu(time.add(linear(p, "prompt_pool", pooled)));
  }

  /** Adds the parameters of {@link #condition}: {@code time.fc1}, {@code time.fc2}, {@code prompt_pool}. */
  public static void putCondition(ParameterSet p, SplittableRandom random, int timeFeatures, int d) {
    putLinear(p, random, "time.fc1", timeFeatures, d, false);
    putLinear(p, random, "time.fc2", d, d, false);
    putLinear(p, random, "prompt_pool", d, d, false);
  }

  /**
   * One DiT block over image tokens {@code h [B, N, d]}: adaLN-Zero modulated self-attention,
   * cross-attention to the prompt's {@code context}, adaLN-Zero modulated MLP.
   */
  public static NDArray ditBlock(Map<String, NDArray> p, String name, NDArray h, NDArray condition, NDArray context,
      NDArray contextMask, int heads) {
    NDList mod = chunks(linear(p, name + ".adaln", condition), 6);
    NDArray a = modulate(layerNorm(h), mod.get(0), mod.get(1));
    h = h.add(mod.get(2).mul(selfAttention(p, name + ".attn", a, heads, null)));
    h = h.add(crossAttention(p, name + ".cross", layerNorm(h), context, heads, contextMask));
    NDArray m = modulate(layerNorm(h), mod.get(3), mod.get(4));
    return h.add(mod.get(5).mul(mlp(p, name + ".mlp", m)));
  }

  /** Adds the parameters of a {@link #ditBlock} of width {@code d} (adaLN modulations zero). */
  public static void putDitBlock(ParameterSet p, SplittableRandom random, String name, int d) {
    putLinear(p, random, name + ".adaln", d, 6 * d, true);
    putLinear(p, random, name + ".attn.qkv", d, 3 * d, false);
    putLinear(p, random, name + ".attn.out", d, d, false);
    putLinear(p, random, name + ".cross.q", d, d, false);
    putLinear(p, random, name + ".cross.kv", d, 2 * d, false);
    putLinear(p, random, name + ".cross.out", d, d, false);
    putMlp(p, random, name + ".mlp", d, 4 * d);
  }

  /** Splits {@code [B, k*d]} modulation into k arrays of {@code [B, 1, d]}. */
  public static NDList chunks(NDArray modulation, int k) {
    NDList parts = modulation.expandDims(1).split(k, 2);
    return parts;
  }

  /** Sinusoidal features {@code [sin(a f_i), cos(a f_i)]} of positions {@code a}, {@code f_i = 10000^(-i/half)}. */
  public static float[] sinusoid(double position, int dim) {
    int half = dim / 2;
    float[] out = new float[dim];
    for (int i = 0; i < half; i++) {
      double angle = position * Math.exp(-Math.log(10000.0) * i / half);
      out[i] = (float) Math.sin(angle);
      out[half + i] = (float) Math.cos(angle);
    }
    return out;
  }

  /** Fixed 2-D sinusoidal positions: half the width encodes the row, half the column. */
  public static float[] positions2d(int grid, int width) {
    float[] out = new float[grid * grid * width];
    int half = width / 2;
    for (int r = 0; r < grid; r++) {
      for (int c = 0; c < grid; c++) {
        int base = (r * grid + c) * width;
        System.arraycopy(sinusoid(r, half), 0, out, base, half);
        System.arraycopy(sinusoid(c, half), 0, out, base + half, half);
      }
    }
    return out;
  }

  /** Sinusoidal time embedding {@code [B, dim]} of times in [0, 1] (scaled by 1000, as in DiT). */
  public static NDArray timeFeatures(NDArray t, int dim) {
    int half = dim / 2;
    float[] freqs = new float[half];
    for (int i = 0; i < half; i++) {
      freqs[i] = (float) (1000.0 * Math.exp(-Math.log(10000.0) * i / half));
    }
    NDArray angles = t.reshape(new Shape(-1, 1)).mul(t.getManager().create(freqs, new Shape(1, half)));
    return NDArrays.concat(new NDList(angles.sin(), angles.cos()), 1);
  }

  /** Adds a linear layer with Xavier-uniform weights and zero bias (or all zeros if {@code zero}). */
  public static void putLinear(ParameterSet p, SplittableRandom random, String name, int in, int out, boolean zero) {
    float[] w = new float[in * out];
    if (!zero) {
      double bound = Math.sqrt(6.0 / (in + out));
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
      }
    }
    p.put(name + ".weight", new int[] {in, out}, w);
    p.put(name + ".bias", new int[] {out}, new float[out]);
  }

  /** Adds a two-layer MLP {@code name.fc1} ({@code d -> hidden}), {@code name.fc2} ({@code hidden -> d}). */
  public static void putMlp(ParameterSet p, SplittableRandom random, String name, int d, int hidden) {
    putLinear(p, random, name + ".fc1", d, hidden, false);
    putLinear(p, random, name + ".fc2", hidden, d, false);
  }
}
