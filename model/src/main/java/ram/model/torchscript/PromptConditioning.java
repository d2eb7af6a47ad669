package ram.model.torchscript;

import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.JniUtils;

import ram.model.Devices;
import ram.model.ParameterSet;
import ram.model.SafeTensors;

/**
 * What a TorchScript velocity module gets as {@code cond} for each prompt: nothing (a {@code [B, 0]}
 * array, for unconditional models), the output of a frozen TorchScript text encoder on the prompt's
 * UTF-8 bytes, or a vector precomputed by the user (as users of large text encoders do) and read
 * from a safetensors file keyed by the prompt text. Encodings are kept per prompt, since the same
 * prompts come back at every step and every epoch.
 */
public abstract class PromptConditioning {

  private final Map<String, float[]> cache = new ConcurrentHashMap<>();

  /** The conditioning a spec names. */
  public static PromptConditioning of(TorchScriptSpec spec) {
    if (spec.textEncoder() != null) {
      return new TextEncoder(Path.of(spec.textEncoder()), spec.textLength());
    }
    if (spec.promptEmbeddings() != null) {
      return new Precomputed(Path.of(spec.promptEmbeddings()));
    }
    return new None();
  }

  /** Whether the model reads its prompt: whether {@code cond} has any values. */
  public boolean conditional() {
    return Arrays.stream(rowShape()).reduce(1, (a, b) -> a * b) > 0;
  }

  /** The shape of one prompt's {@code cond}. */
  public abstract long[] rowShape();

  /** One prompt's {@code cond}, flattened. */
  protected abstract float[] encode(String prompt);

  /** The {@code cond} array of a batch of prompts, on {@code manager}. */
  public NDArray encode(NDManager manager, List<String> prompts) {
    long[] row = rowShape();
    int width = Math.toIntExact(Arrays.stream(row).reduce(1, (a, b) -> a * b));
    float[] values = new float[prompts.size() * width];
    for (int i = 0; i < prompts.size(); i++) {
      System.arraycopy(cache.computeIfAbsent(prompts.get(i), this::encode), 0, values, i * width, width);
    }
    long[] shape = new long[row.length + 1];
    shape[0] = prompts.size();
    System.arraycopy(row, 0, shape, 1, row.length);
    return manager.create(values, new Shape(shape));
  }

  /** No conditioning: {@code cond} is {@code [B, 0]}. */
  static final class None extends PromptConditioning {
    @Override
    public long[] rowShape() {
      return new long[] {0};
    }

    @Override
    protected float[] encode(String prompt) {
      return new float[0];
    }
  }

  /** A frozen TorchScript text encoder over prompt bytes: byte b is token b + 1, 0 pads to the length. */
  static final class TextEncoder extends PromptConditioning {
    private final Path file;
    private final int length;
    private final long[] rowShape;

    TextEncoder(Path file, int length) {
      this.file = file;
      this.length = length;
      this.rowShape = probe();
    }

    private long[] probe() {
      try (NDManager manager = Devices.newManager()) {
        long[] shape = run(manager, "").getShape().getShape();
        return Arrays.copyOfRange(shape, 1, shape.length);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(file + ": as text_encoder, forward(tokens [1, " + length + "] int64) failed: "
            + TorchScriptModules.firstLine(e), e);
      }
    }

    /** Token ids of a prompt: its UTF-8 bytes plus one, cut or padded with 0 to the length. */
    static long[] tokens(String prompt, int length) {
      byte[] bytes = prompt.getBytes(StandardCharsets.UTF_8);
      long[] ids = new long[length];
      for (int i = 0; i < Math.min(length, bytes.length); i++) {
        ids[i] = (bytes[i] & 0xFF) + 1;
      }
      return ids;
    }

    private NDArray run(NDManager manager, String prompt) {
      TorchScriptModules.Module module = TorchScriptModules.borrow(file, false, "", m -> {});
      boolean grad = JniUtils.isGradMode();
      JniUtils.setGradMode(false);
      try (NDArray tokens = manager.create(tokens(prompt, length), new Shape(1, length));
          IValue in = IValue.from(TorchScriptModules.pt(tokens));
          IValue out = module.block().forward(in)) {
        return out.toTensor((PtNDManager) manager);
      } finally {
        JniUtils.setGradMode(grad);
        TorchScriptModules.giveBack(module);
      }
    }

    @Override
    public long[] rowShape() {
      return rowShape;
    }

    @Override
    protected float[] encode(String prompt) {
      try (NDManager manager = Devices.newManager()) {
        return run(manager, prompt).toFloatArray();
      }
    }
  }

  /** Vectors precomputed by the user, one tensor per prompt text, all of one shape. */
  static final class Precomputed extends PromptConditioning {
    private final Path file;
    private final ParameterSet vectors;
    private final java.util.Set<String> prompts;
    private final long[] rowShape;

    Precomputed(Path file) {
      this.file = file;
      this.vectors = SafeTensors.read(file);
      if (vectors.names().isEmpty()) {
        throw new IllegalArgumentException(file + ": as prompt_embeddings, holds no tensors; expected one per prompt, keyed by the prompt");
      }
      int[] first = vectors.shape(vectors.names().get(0));
      for (String name : vectors.names()) {
        if (!Arrays.equals(first, vectors.shape(name))) {
          throw new IllegalArgumentException(file + ": prompt embeddings differ in shape: '" + vectors.names().get(0) + "' "
              + Arrays.toString(first) + ", '" + name + "' " + Arrays.toString(vectors.shape(name)));
        }
      }
      this.rowShape = Arrays.stream(first).asLongStream().toArray();
      this.prompts = java.util.Set.copyOf(vectors.names());
    }

    @Override
    public long[] rowShape() {
      return rowShape;
    }

    @Override
    protected float[] encode(String prompt) {
      if (!prompts.contains(prompt)) {
        throw new IllegalArgumentException(file + ": no embedding for the prompt '" + prompt + "' (" + prompts.size()
            + " prompts there; precompute one for every prompt of the run, and for the empty prompt when cfg_scale is not 1)");
      }
      return vectors.get(prompt);
    }
  }
}
