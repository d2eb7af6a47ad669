package ram.transforms.algorithm.flowgrpo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

import ram.model.LaggedPolicy;
import ram.model.ParameterSet;
import ram.model.SdeSampler;
import ram.model.VelocityNetwork;
import ram.schemas.Prompt;
import ram.schemas.Sample;
import ram.schemas.SamplerSettings;
import ram.schemas.Trajectory;
import ram.transforms.EpochSpec;
import ram.transforms.FaultInjection;
import ram.transforms.ParquetRecords;
import ram.transforms.SampleEndpoints;
import ram.transforms.StageTimer;
import ram.transforms.StoreFiles;
import ram.transforms.Tensors;
import ram.transforms.TunedModel;

/**
 * Flow-GRPO's sampling stage: G rollouts per prompt with the SDE sampler from the current policy
 * (Flow-GRPO is on-policy). Each rollout's endpoint is a {@link Sample}, exactly as RAM's, so the
 * reward and advantage stages are shared; its states and step log-probabilities are a
 * {@link Trajectory} for the store (one Parquet file per prompt, written here: a trajectory is T + 1
 * images, too large for a shuffle), and its trained part a {@link RolloutFile} for the update.
 * Seeds are those of {@link SampleEndpoints}.
 */
public final class SampleTrajectories extends PTransform<PCollection<KV<Integer, Prompt>>, PCollection<Sample>> {

  private final FlowGrpoAlgorithm grpo;
  private final EpochSpec spec;
  private final String trajectories;
  private final String scratch;

  /**
   * @param trajectories the epoch's {@code trajectories/} directory: one Parquet file per prompt slot
   * @param scratch the epoch's scratch directory, where each rollout's trained part is left for the update
   */
  public SampleTrajectories(FlowGrpoAlgorithm grpo, EpochSpec spec, String trajectories, String scratch) {
    this.grpo = grpo;
    this.spec = spec;
    this.trajectories = trajectories;
    this.scratch = scratch;
  }

  /** The file of a prompt slot's trajectories. */
  public static String file(String trajectories, int slot) {
    return StoreFiles.join(trajectories, String.format("trajectories-p%05d.parquet", slot));
  }

  @Override
  public PCollection<Sample> expand(PCollection<KV<Integer, Prompt>> prompts) {
    return prompts.apply("Rollouts", ParDo.of(new RolloutFn(grpo, spec, trajectories, scratch))).setCoder(AvroCoder.of(Sample.class));
  }

  private static final class RolloutFn extends DoFn<KV<Integer, Prompt>, Sample> {
    private final FlowGrpoAlgorithm grpo;
    private final EpochSpec spec;
    private final String trajectories;
    private final String scratch;
    private transient VelocityNetwork network;
    private transient ParameterSet policy;
    private final StageTimer timer = StageTimer.of("sample");

    RolloutFn(FlowGrpoAlgorithm grpo, EpochSpec spec, String trajectories, String scratch) {
      this.grpo = grpo;
      this.spec = spec;
      this.trajectories = trajectories;
      this.scratch = scratch;
    }

    @Setup
    public void setup() {
      TunedModel model = TunedModel.of(spec);
      network = model.network();
      policy = model.state(spec.parentCheckpoint).theta();
    }

    @ProcessElement
    public void process(@Element KV<Integer, Prompt> slot, OutputReceiver<Sample> out) {
      int g = spec.imagesPerPrompt;
      int dim = network.sampleSize();
      long[] seeds = new long[g];
      for (int i = 0; i < g; i++) {
        seeds[i] = SampleEndpoints.noiseSeed(spec.runSeed, spec.epoch, slot.getKey(), i);
      }
      Prompt prompt = slot.getValue();
      SdeSampler sampler = grpo.sampler(spec);
      SdeSampler.Rollout rollout = timer.time(() -> sampler.sample(network, policy, seeds, Collections.nCopies(g, prompt.getText())));
      float[][] states = rollout.states();
      int steps = sampler.steps();
      int policyVersion = spec.epoch - 1;
      SampleEndpoints.requireFinite(states[steps], spec, slot.getKey(), policyVersion);
      SamplerSettings settings = SamplerSettings.newBuilder().setName("flow_grpo_sde").setSteps(steps)
          .setCfgScale(spec.cfgScale).setTimeShift(spec.timeShift).build();
      List<Double> times = new ArrayList<>();
      for (double t : sampler.grid()) {
        times.add(t);
      }
      List<Sample> samples = new ArrayList<>(g);
      List<Trajectory> records = new ArrayList<>(g);
      List<ram.schemas.Tensor> images = SampleEndpoints.decoded(network, states[steps], g);
      for (int i = 0; i < g; i++) {
        Sample sample = SampleEndpoints.sample(spec, slot, i, seeds[i], policyVersion, LaggedPolicy.CURRENT, settings,
            Tensors.of(Arrays.copyOfRange(states[steps], i * dim, (i + 1) * dim), network.sampleShape()));
        sample.setImage(images == null ? null : images.get(i));
        int trained = grpo.trainedSteps();
        float[][] trainedStates = new float[trained + 1][];
        float[] trainedLogProbs = new float[trained];
        for (int k = 0; k <= trained; k++) {
          trainedStates[k] = Arrays.copyOfRange(states[k], i * dim, (i + 1) * dim);
          if (k < trained) {
            trainedLogProbs[k] = rollout.logProbs()[k][i];
          }
        }
        StoreFiles.writeAtomically(RolloutFile.location(scratch, sample.getSampleId()),
            new RolloutFile(trainedStates, trainedLogProbs).toBytes());
        samples.add(sample);
        List<ram.schemas.Tensor> path = new ArrayList<>(steps + 1);
        for (float[] state : states) {
          path.add(Tensors.of(Arrays.copyOfRange(state, i * dim, (i + 1) * dim), network.sampleShape()));
        }
        List<Float> logProbs = new ArrayList<>(steps);
        for (float[] stepLogProbs : rollout.logProbs()) {
          logProbs.add(stepLogProbs[i]);
        }
        records.add(Trajectory.newBuilder().setSampleId(sample.getSampleId()).setEpoch(spec.epoch)
            .setPromptId(prompt.getPromptId()).setPrompt(prompt.getText()).setSeed(seeds[i]).setPolicyVersion(policyVersion)
            .setNoiseLevel(grpo.noiseLevel()).setCfgScale(spec.cfgScale).setTimes(times).setStates(path)
            .setLogProbs(logProbs).build());
      }
      ParquetRecords.writeAtomically(file(trajectories, slot.getKey()), Trajectory.getClassSchema(), records);
      samples.forEach(out::output);
      FaultInjection.reach("sample", spec.epoch);
    }
  }
}
