package ram.config;

import java.io.Serializable;
import java.nio.file.Path;

import ram.model.torchscript.TorchScriptSpec;

/**
 * The network that is post-trained and the base it starts from: a built-in architecture with its
 * base checkpoint, or a user's TorchScript model whose module file holds its base.
 *
 * @param architecture the built-in velocity network's architecture name, or {@code torchscript}
 * @param baseCheckpoint the base checkpoint as written in the config (null for a TorchScript model)
 * @param baseSha256 the SHA-256 the base's weights must have, or null where no pin is set
 * @param initWeights a safetensors file whose values replace the base's, or null
 * @param torchscript the TorchScript model's files and settings as written, or null for a built-in network
 */
public record ModelSettings(String architecture, String baseCheckpoint, String baseSha256, String initWeights, TorchScriptSpec torchscript)
    implements Serializable {

  /** These settings with every path resolved against {@code home} (relative paths in a config are relative to the ram home). */
  public ModelSettings resolvedAgainst(Path home) {
    TorchScriptSpec spec = torchscript == null ? null : new TorchScriptSpec(path(torchscript.velocity(), home), torchscript.sampleShape(),
        path(torchscript.textEncoder(), home), torchscript.textLength(), path(torchscript.promptEmbeddings(), home),
        path(torchscript.decoder(), home), torchscript.trainable(), path(torchscript.initWeights(), home));
    return new ModelSettings(architecture, path(baseCheckpoint, home), baseSha256, path(initWeights, home), spec);
  }

  private static String path(String written, Path home) {
    return written == null ? null : RunConfig.resolve(written, home).toString();
  }

  /** Where the base is: the base checkpoint's directory, or the TorchScript module file. */
  public String base() {
    return torchscript == null ? baseCheckpoint : torchscript.velocity();
  }

  /** Whether the model is a user's TorchScript module. */
  public boolean isTorchScript() {
    return torchscript != null;
  }
}
