package ram.transforms;

import java.util.Collections;
import java.util.List;

import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

import ram.model.LaggedPolicy;
import ram.model.Noise;
import ram.model.ParameterSet;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;
import ram.schemas.Prompt;
import ram.schemas.Sample;
import ram.schemas.SamplerSettings;

/**
 * Draws G clean endpoints per prompt with the ODE sampler from a sampling policy (for RAM's
 * training, the lagged policy: the EMA in the official recipe, the current policy in the tutorial
 * variant; for evaluation, the checkpoint's own parameters). One batch per prompt; each sample's
 * initial noise comes from its own seed, so results do not depend on the runner.
 */
public final class SampleEndpoints extends PTransform<PCollection<KV<Integer, Prompt>>, PCollection<Sample>> {

  private final EpochSpec spec;
  private final int policyVersion;
  private final LaggedPolicy policy;

  /** Training endpoints of {@code spec.epoch}, drawn by the {@code policy} parameters of the previous epoch. */
  public SampleEndpoints(EpochSpec spec, LaggedPolicy policy) {
    this(spec, spec.epoch - 1, policy);
  }

  /** Endpoints drawn by the checkpoint's current parameters, recorded as those of epoch {@code policyVersion} (evaluation). */
  public SampleEndpoints(EpochSpec spec, int policyVersion) {
    this(spec, policyVersion, LaggedPolicy.CURRENT);
  }

  private SampleEndpoints(EpochSpec spec, int policyVersion, LaggedPolicy policy) {
    this.spec = spec;
    this.policyVersion = policyVersion;
    this.policy = policy;
  }

  /** The seed of sample g of prompt slot {@code slot} in an epoch. */
  public static long noiseSeed(long runSeed, int epoch, int slot, int g) {
    return Noise.seed(runSeed, epoch, slot, g);
  }

  public static String sampleId(int epoch, int slot, int g) {
    return String.format("e%06d-p%05d-g%03d", epoch, slot, g);
  }

  /** Fails the epoch if the policy produced NaN or infinite values: nothing of it may be published. */
  public static void requireFinite(float[] x, EpochSpec spec, int slot, int policyVersion) {
    for (float v : x) {
      if (!Float.isFinite(v)) {
        throw new IllegalStateException("epoch " + spec.epoch + " prompt slot " + slot + ": the policy of epoch "
            + policyVersion + " produced non-finite endpoints (NaN or infinite values); its checkpoint is broken or training "
            + "diverged (lower learning_rate); nothing of this epoch is published");
      }
    }
  }

  /** The record of sample {@code g} of a prompt slot, drawn by the {@code policy} parameters of epoch {@code policyVersion}. */
  public static Sample sample(EpochSpec spec, KV<Integer, Prompt> slot, int g, long seed, int policyVersion, LaggedPolicy policy,
      SamplerSettings settings, ram.schemas.Tensor endpoint) {
    Prompt prompt = slot.getValue();
    return Sample.newBuilder()
        .setSampleId(sampleId(spec.epoch, slot.getKey(), g))
        .setEpoch(spec.epoch)
        .setPromptId(prompt.getPromptId())
        .setPrompt(prompt.getText())
        .setTag(prompt.getTag())
        .setMetadataJson(prompt.getMetadataJson())
        .setPromptSlot(slot.getKey())
        .setGroupIndex(g)
        .setSeed(seed)
        .setPolicyVersion(policyVersion)
        .setPolicy(policy.configName())
        .setSampler(settings)
        .setEndpoint(endpoint)
        .build();
  }

  /** A latent model's decoded images of {@code count} samples {@code x}, one tensor each; null for a model whose samples are its images. */
  public static List<ram.schemas.Tensor> decoded(VelocityNetwork network, float[] x, int count) {
    if (!network.decodes()) {
      return null;
    }
    float[] rgb = network.images(x, count);
    int size = rgb.length / count;
    List<ram.schemas.Tensor> images = new java.util.ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      images.add(Tensors.of(java.util.Arrays.copyOfRange(rgb, i * size, (i + 1) * size), network.imageShape()));
    }
    return images;
  }

  @Override
  public PCollection<Sample> expand(PCollection<KV<Integer, Prompt>> prompts) {
    return prompts.apply("Sample", ParDo.of(new SampleFn(spec, policyVersion, policy))).setCoder(AvroCoder.of(Sample.class));
  }

  private static final class SampleFn extends DoFn<KV<Integer, Prompt>, Sample> {
    private final EpochSpec spec;
    private final int policyVersion;
    private final LaggedPolicy policy;
    private transient VelocityNetwork network;
    private transient ParameterSet parameters;
    private final StageTimer timer = StageTimer.of("sample");

    SampleFn(EpochSpec spec, int policyVersion, LaggedPolicy policy) {
      this.spec = spec;
      this.policyVersion = policyVersion;
      this.policy = policy;
    }

    @Setup
    public void setup() {
      TunedModel model = TunedModel.of(spec);
      network = model.network();
      TrainingState state = model.state(spec.parentCheckpoint);
      parameters = policy == LaggedPolicy.EMA ? state.ema() : state.theta();
    }

    @ProcessElement
    public void process(@Element KV<Integer, Prompt> slot, OutputReceiver<Sample> out) {
      int g = spec.imagesPerPrompt;
      int dim = network.sampleSize();
      float[] noise = new float[g * dim];
      long[] seeds = new long[g];
      for (int i = 0; i < g; i++) {
        seeds[i] = noiseSeed(spec.runSeed, spec.epoch, slot.getKey(), i);
        System.arraycopy(Noise.gaussian(seeds[i], dim), 0, noise, i * dim, dim);
      }
      Prompt prompt = slot.getValue();
      float[] x = timer.time(() -> spec.sampler().sample(network, parameters, noise, Collections.nCopies(g, prompt.getText())));
      requireFinite(x, spec, slot.getKey(), policyVersion);
      SamplerSettings settings = SamplerSettings.newBuilder().setName(spec.odeSolver.recordName()).setSteps(spec.sampleSteps)
          .setCfgScale(spec.cfgScale).setTimeShift(spec.timeShift).build();
      List<ram.schemas.Tensor> images = decoded(network, x, g);
      for (int i = 0; i < g; i++) {
        float[] endpoint = java.util.Arrays.copyOfRange(x, i * dim, (i + 1) * dim);
        Sample sample = sample(spec, slot, i, seeds[i], policyVersion, policy, settings, Tensors.of(endpoint, network.sampleShape()));
        sample.setImage(images == null ? null : images.get(i));
        out.output(sample);
      }
      FaultInjection.reach("sample", spec.epoch);
    }
  }
}
