package ram.transforms;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.google.gson.JsonObject;

import ram.config.ModelSettings;
import ram.model.Checkpoint;
import ram.model.LoraNetwork;
import ram.model.Networks;
import ram.model.Noise;
import ram.model.ParameterSet;
import ram.model.SafeTensors;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;
import ram.model.torchscript.TorchScriptModules;
import ram.model.torchscript.TorchScriptSpec;
import ram.model.torchscript.TorchScriptVelocityNetwork;

/**
 * The network a run fine-tunes and the parameters it starts from, built in this one place for the
 * driver, every worker stage, evaluation and sampling. Full fine-tuning trains the base network's
 * own weights, starting from the base checkpoint's. LoRA ({@link LoraNetwork}) trains only adapters
 * over the frozen base weights, starting from adapters with B = 0, which compute exactly the base.
 * Either way the start is also the frozen reference of the loss: the base (for LoRA, the base with
 * the adapters off), never the base's full weights in the adapters' place.
 *
 * <p>A LoRA run's checkpoints hold only adapters; their manifest names the base they adapt
 * ({@link #manifestEntries}), so they can be loaded without the run's config, and a base that has
 * changed since is refused rather than silently adapted.
 */
public final class TunedModel {

  /** The manifest entry of a LoRA checkpoint: its settings and the base it adapts. */
  static final String LORA = "lora";
  /** The manifest entry of a TorchScript model's checkpoint: its files and settings. */
  static final String TORCHSCRIPT_ENTRY = "torchscript";
  /** TorchScript networks built in this JVM, by spec. */
  private static final Map<TorchScriptSpec, TorchScriptVelocityNetwork> TORCHSCRIPT = new ConcurrentHashMap<>();
  /** Mixed with the run seed into the seed of the adapters' A (B starts at zero). */
  private static final long ADAPTER_SEED = 0x4C6F5241L;

  private final VelocityNetwork network;
  private final String baseArchitecture;
  private final String baseCheckpoint;
  private final LoraNetwork.Config lora;
  /** A safetensors file whose values replace the base checkpoint's, or null. */
  private final String initWeights;
  /** The user's TorchScript model, or null for a built-in network. */
  private final TorchScriptSpec torchscript;
  private String baseSha256;
  private ParameterSet start;

  private TunedModel(VelocityNetwork network, String baseArchitecture, String baseCheckpoint, LoraNetwork.Config lora, String initWeights,
      TorchScriptSpec torchscript, String baseSha256, ParameterSet start) {
    this.network = network;
    this.baseArchitecture = baseArchitecture;
    this.baseCheckpoint = baseCheckpoint;
    this.lora = lora;
    this.initWeights = initWeights;
    this.torchscript = torchscript;
    this.baseSha256 = baseSha256;
    this.start = start;
  }

  /** The model of an epoch's spec. */
  public static TunedModel of(EpochSpec spec) {
    if (spec.torchscript != null) {
      return torchScript(spec.torchscript);
    }
    return load(spec.architecture, spec.baseCheckpoint, spec.lora, spec.runSeed, spec.initWeights);
  }

  /** The model a run's settings name, with their paths already resolved ({@link ModelSettings#resolvedAgainst}). */
  public static TunedModel of(ModelSettings model, LoraNetwork.Config lora, long runSeed) {
    if (model.isTorchScript()) {
      return torchScript(model.torchscript());
    }
    return load(model.architecture(), model.baseCheckpoint(), lora, runSeed, model.initWeights());
  }

  /**
   * A user's TorchScript model: its base is the module file (or its {@code init_weights}), which
   * stays on each worker; training changes the parameters its {@code trainable} expression matches.
   * The network is built once per JVM and spec, since building it loads and probes the module.
   */
  public static TunedModel torchScript(TorchScriptSpec spec) {
    TorchScriptVelocityNetwork network = TORCHSCRIPT.computeIfAbsent(spec, TorchScriptVelocityNetwork::new);
    String sha = TorchScriptModules.sha256(Path.of(spec.velocity()));
    if (spec.initWeights() != null) {
      sha = Checkpoint.sha256((sha + TorchScriptModules.sha256(Path.of(spec.initWeights()))).getBytes(StandardCharsets.UTF_8));
    }
    return new TunedModel(network, network.architecture(), spec.velocity(), null, spec.initWeights(), spec, sha, network.initialize(0));
  }

  /**
   * Fine-tuning of the {@code architecture} network whose base weights are {@code baseCheckpoint}:
   * fully ({@code lora == null}; the base is read when first needed) or by LoRA adapters, drawn
   * from a seed derived from {@code runSeed}.
   */
  public static TunedModel load(String architecture, String baseCheckpoint, LoraNetwork.Config lora, long runSeed) {
    return load(architecture, baseCheckpoint, lora, runSeed, null);
  }

  /** {@link #load(String, String, LoraNetwork.Config, long)} with the base's values replaced by those of a safetensors file (null: none). */
  public static TunedModel load(String architecture, String baseCheckpoint, LoraNetwork.Config lora, long runSeed, String initWeights) {
    VelocityNetwork base = Networks.create(architecture);
    if (lora == null) {
      return new TunedModel(base, architecture, baseCheckpoint, null, initWeights, null, null, null);
    }
    Base weights = readBase(base, baseCheckpoint, initWeights);
    LoraNetwork network;
    try {
      network = new LoraNetwork(base, weights.theta(), lora);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("lora_targets: " + e.getMessage() + " (base checkpoint " + baseCheckpoint + ")", e);
    }
    ParameterSet adapters = network.initialize(Noise.seed(runSeed, ADAPTER_SEED));
    return new TunedModel(network, architecture, baseCheckpoint, lora, initWeights, null, weights.sha256(), adapters);
  }

  /** The network that {@link #start}, the reference and every state of the run are parameters of. */
  public VelocityNetwork network() {
    return network;
  }

  /** Theta and EMA before epoch 1: the base weights, or the initial adapters. */
  public ParameterSet start() {
    if (start == null) {
      Base base = readBase(network, baseCheckpoint, initWeights);
      start = base.theta();
      baseSha256 = base.sha256();
    }
    return start;
  }

  /** The base checkpoint's directory, as given. */
  public String baseCheckpoint() {
    return baseCheckpoint;
  }

  /**
   * The SHA-256 of the base checkpoint's {@code theta.params} (reading the base if not yet read):
   * what a run pins, so that resuming over a changed base is refused.
   */
  public String baseSha256() {
    if (baseSha256 == null) {
      start();
    }
    return baseSha256;
  }

  /** The frozen reference of the loss: the base, i.e. {@link #start}. */
  public ParameterSet reference() {
    return start();
  }

  /** The state an epoch starts from: the training checkpoint {@code parent}, or the start when it is null. */
  public TrainingState state(String parent) {
    if (parent == null) {
      return TrainingState.fromBase(start());
    }
    Map<String, byte[]> files = CheckpointStore.readFiles(parent);
    TrainingState state = Checkpoint.decodeTraining(files, parent);
    requireTrainedAsThis(Checkpoint.manifest(files, parent), parent);
    return state;
  }

  /** The entries a training checkpoint's manifest gets beyond the architecture: for LoRA, the settings and the base. */
  public Map<String, Object> manifestEntries() {
    if (torchscript != null) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("velocity", torchscript.velocity());
      entry.put("velocity_sha256", TorchScriptModules.sha256(Path.of(torchscript.velocity())));
      entry.put("sample_shape", torchscript.sampleShape());
      entry.put("text_encoder", torchscript.textEncoder());
      entry.put("text_length", torchscript.textLength());
      entry.put("prompt_embeddings", torchscript.promptEmbeddings());
      entry.put("decoder", torchscript.decoder());
      entry.put("trainable", torchscript.trainable());
      entry.put("init_weights", torchscript.initWeights());
      entry.put("base_sha256", baseSha256);
      return Map.of(TORCHSCRIPT_ENTRY, entry);
    }
    if (lora == null) {
      return Map.of();
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("base_architecture", baseArchitecture);
    entry.put("base_checkpoint", baseCheckpoint);
    entry.put("base_sha256", baseSha256);
    entry.put("rank", lora.rank());
    entry.put("alpha", lora.alpha());
    entry.put("targets", lora.targets());
    return Map.of("finetune", "lora", LORA, entry);
  }

  /** A checkpoint's network and its parameters theta. */
  public record Policy(VelocityNetwork network, ParameterSet theta) {}

  /**
   * The policy of any checkpoint without a run config: a base or fully tuned checkpoint's own
   * network and weights, or a LoRA checkpoint's adapters over the base its manifest names.
   */
  public static Policy readPolicy(String dir) {
    Map<String, byte[]> files = CheckpointStore.readFiles(dir);
    JsonObject manifest = Checkpoint.verify(files, dir);
    if (manifest.has(TORCHSCRIPT_ENTRY)) {
      TunedModel model = torchScript(specOf(manifest.getAsJsonObject(TORCHSCRIPT_ENTRY), dir));
      model.requireTrainedAsThis(manifest, dir);
      ParameterSet theta = Checkpoint.params(files, Checkpoint.THETA, dir);
      requireLayout(model.network, theta, dir);
      return new Policy(model.network, theta);
    }
    if (manifest.has(LORA)) {
      JsonObject lora = manifest.getAsJsonObject(LORA);
      List<String> targets = new ArrayList<>();
      lora.getAsJsonArray("targets").forEach(target -> targets.add(target.getAsString()));
      TunedModel model = load(lora.get("base_architecture").getAsString(), lora.get("base_checkpoint").getAsString(),
          new LoraNetwork.Config(lora.get("rank").getAsInt(), lora.get("alpha").getAsDouble(), targets), 0);
      model.requireTrainedAsThis(manifest, dir);
      return new Policy(model.network, Checkpoint.decodeTraining(files, dir).theta());
    }
    VelocityNetwork network = Networks.create(manifest.get("architecture").getAsString());
    ParameterSet theta = Checkpoint.params(files, Checkpoint.THETA, dir);
    requireLayout(network, theta, dir);
    return new Policy(network, theta);
  }

  /**
   * Refuses the checkpoint {@code dir}, whose verified manifest is {@code manifest}, unless it is a
   * state of this fine-tuning: the same network, and for LoRA, adapters trained over this very base.
   */
  public void requireTrainedAsThis(JsonObject manifest, String dir) {
    String architecture = manifest.get("architecture").getAsString();
    if (!architecture.equals(network.architecture())) {
      throw new IllegalArgumentException(dir + ": a checkpoint of " + architecture + ", but this run fine-tunes " + network.architecture());
    }
    if (lora != null) {
      String trainedOver = manifest.getAsJsonObject(LORA).get("base_sha256").getAsString();
      if (!trainedOver.equals(baseSha256)) {
        throw new IllegalArgumentException(dir + ": its LoRA adapters were trained over a base whose " + Checkpoint.THETA
            + " has SHA-256 " + trainedOver + ", but " + baseCheckpoint + " now has " + baseSha256 + " (the base was changed)");
      }
    }
  }

  /** A base checkpoint's weights and the SHA-256 of its parameter file (of the init_weights file, where one replaces them). */
  private record Base(ParameterSet theta, String sha256) {}

  private static Base readBase(VelocityNetwork network, String dir, String initWeights) {
    Map<String, byte[]> files = CheckpointStore.readFiles(dir);
    JsonObject manifest = Checkpoint.verify(files, dir);
    ParameterSet theta = Checkpoint.params(files, Checkpoint.THETA, dir);
    requireLayout(network, theta, dir);
    if (initWeights != null) {
      try {
        return new Base(SafeTensors.readInto(theta, Path.of(initWeights)), TorchScriptModules.sha256(Path.of(initWeights)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("init_weights: " + e.getMessage() + " (the parameters of " + network.architecture() + ")", e);
      }
    }
    return new Base(theta, manifest.getAsJsonObject("sha256").get(Checkpoint.THETA).getAsString());
  }

  /** The TorchScript spec a checkpoint's manifest records, with its module file unchanged since. */
  private static TorchScriptSpec specOf(JsonObject entry, String dir) {
    List<Integer> shape = new ArrayList<>();
    entry.getAsJsonArray("sample_shape").forEach(d -> shape.add(d.getAsInt()));
    TorchScriptSpec spec = new TorchScriptSpec(entry.get("velocity").getAsString(), shape, text(entry, "text_encoder"),
        entry.get("text_length").getAsInt(), text(entry, "prompt_embeddings"), text(entry, "decoder"), entry.get("trainable").getAsString(),
        text(entry, "init_weights"));
    Path velocity = Path.of(spec.velocity());
    if (!Files.isRegularFile(velocity)) {
      throw new IllegalArgumentException(dir + ": its model's TorchScript module " + velocity + " is gone");
    }
    String sha = TorchScriptModules.sha256(velocity);
    if (!sha.equals(entry.get("velocity_sha256").getAsString())) {
      throw new IllegalArgumentException(dir + ": was trained on " + velocity + " with SHA-256 " + entry.get("velocity_sha256").getAsString()
          + ", but that file now has " + sha + " (the module was changed)");
    }
    return spec;
  }

  private static String text(JsonObject entry, String key) {
    return entry.has(key) && !entry.get(key).isJsonNull() ? entry.get(key).getAsString() : null;
  }

  private static void requireLayout(VelocityNetwork network, ParameterSet theta, String dir) {
    try {
      network.initialize(0).requireSameLayout(theta);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(dir + ": not parameters of " + network.architecture() + ": " + e.getMessage(), e);
    }
  }
}
