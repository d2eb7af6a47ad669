package ram.model.torchscript;

import java.io.Serializable;
import java.util.List;

/**
 * A user's flow model as files: what {@code model: torchscript} in a run config names. Plain data,
 * so that it travels to every worker with an epoch's spec; {@link TorchScriptVelocityNetwork} turns
 * it into a network.
 *
 * @param velocity the TorchScript module {@code forward(x_t, t, cond) -> v}
 * @param sampleShape the shape of one sample (of one latent, for a latent model), e.g. {@code [2]} or {@code [4, 8, 8]}
 * @param textEncoder a TorchScript module {@code forward(tokens [B, L] int64) -> cond [B, ...]}, or null
 * @param textLength L: prompt bytes per row given to the text encoder (byte b is token b + 1, 0 pads)
 * @param promptEmbeddings a safetensors file holding {@code cond} of each prompt, keyed by the prompt text, or null
 * @param decoder a TorchScript module {@code forward(latents) -> RGB images [B, 3, H, W] in [0, 1]}, or null
 * @param trainable a regular expression over the velocity module's parameter names: the parameters training changes
 * @param initWeights a safetensors file whose tensors replace the module's own initial values by name, or null
 */
public record TorchScriptSpec(String velocity, List<Integer> sampleShape, String textEncoder, int textLength, String promptEmbeddings,
    String decoder, String trainable, String initWeights) implements Serializable {

  /** The model name configs give for a TorchScript model. */
  public static final String MODEL = "torchscript";

  /** {@link #sampleShape} as an array. */
  public int[] shape() {
    return sampleShape.stream().mapToInt(Integer::intValue).toArray();
  }
}
