package ram.transforms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;

import ram.model.Checkpoint;
import ram.model.LoraNetwork;
import ram.model.Networks;
import ram.model.Noise;
import ram.model.ParameterSet;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;

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
  /** Mixed with the run seed into the seed of the adapters' A (B starts at zero). */
  private static final long ADAPTER_SEED = 0x4C6F5241L;

  private final VelocityNetwork network;
  private final String baseArchitecture;
  private final String baseCheckpoint;
  private final LoraNetwork.Config lora;
  private String baseSha256;
  private ParameterSet start;

  private TunedModel(VelocityNetwork network, String baseArchitecture, String baseCheckpoint, LoraNetwork.Config lora, String baseSha256,
      ParameterSet start) {
    this.network = network;
    this.baseArchitecture = baseArchitecture;
    this.baseCheckpoint = baseCheckpoint;
    this.lora = lora;
    this.baseSha256 = baseSha256;
    this.start = start;
  }

  /** The model of an epoch's spec. */
  public static TunedModel of(EpochSpec spec) {
    return load(spec.architecture, spec.baseCheckpoint, spec.lora, spec.runSeed);
  }

  /**
   * Fine-tuning of the {@code architecture} network whose base weights are {@code baseCheckpoint}:
   * fully ({@code lora == null}; the base is read when first needed) or by LoRA adapters, drawn
   * from a seed derived from {@code runSeed}.
   */
  public static TunedModel load(String architecture, String baseCheckpoint, LoraNetwork.Config lora, long runSeed) {
    VelocityNetwork base = Networks.create(architecture);
    if (lora == null) {
      return new TunedModel(base, architecture, baseCheckpoint, null, null, null);
    }
    Base weights = readBase(base, baseCheckpoint);
    LoraNetwork network;
    try {
      network = new LoraNetwork(base, weights.theta(), lora);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("lora_targets: " + e.getMessage() + " (base checkpoint " + baseCheckpoint + ")", e);
    }
    ParameterSet adapters = network.initialize(Noise.seed(runSeed, ADAPTER_SEED));
    return new TunedModel(network, architecture, baseCheckpoint, lora, weights.sha256(), adapters);
  }

  /** The network that {@link #start}, the reference and every state of the run are parameters of. */
  public VelocityNetwork network() {
    return network;
  }

  /** Theta and EMA before epoch 1: the base weights, or the initial adapters. */
  public ParameterSet start() {
    if (start == null) {
      Base base = readBase(network, baseCheckpoint);
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

  /** A base checkpoint's weights and the SHA-256 of its parameter file. */
  private record Base(ParameterSet theta, String sha256) {}

  private static Base readBase(VelocityNetwork network, String dir) {
    Map<String, byte[]> files = CheckpointStore.readFiles(dir);
    JsonObject manifest = Checkpoint.verify(files, dir);
    ParameterSet theta = Checkpoint.params(files, Checkpoint.THETA, dir);
    requireLayout(network, theta, dir);
    return new Base(theta, manifest.getAsJsonObject("sha256").get(Checkpoint.THETA).getAsString());
  }

  private static void requireLayout(VelocityNetwork network, ParameterSet theta, String dir) {
    try {
      network.initialize(0).requireSameLayout(theta);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(dir + ": not parameters of " + network.architecture() + ": " + e.getMessage(), e);
    }
  }
}
