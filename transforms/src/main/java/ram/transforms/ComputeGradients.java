package ram.transforms;

import java.util.ArrayList;
import java.util.List;

import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;

import ram.model.LaggedPolicy;
import ram.model.Noise;
import ram.model.ParameterSet;
import ram.model.RamGradient;
import ram.model.RamItems;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;

/**
 * The data-parallel half of an optimizer step: each of the step's shards (dealt by
 * {@link DealToShards}) re-noises its items K times and computes the gradient of its summed RAM
 * loss against the step's parameters (a side input); for Flow-GRPO, the summed clipped GRPO loss
 * over its rollouts' trained steps ({@link GrpoShardGradient}). Shards are independent; only
 * {@link SumGradients} brings them together.
 */
public final class ComputeGradients
    extends PTransform<PCollection<KV<Integer, Iterable<TrainingItem>>>, PCollection<GradientShard>> {

  private final EpochSpec spec;
  private final int step;
  private final PCollectionView<String> state;
  private final String scratch;

  /** @param state where the step's starting state is stored; @param scratch the epoch's scratch directory */
  public ComputeGradients(EpochSpec spec, int step, PCollectionView<String> state, String scratch) {
    this.spec = spec;
    this.step = step;
    this.state = state;
    this.scratch = scratch;
  }

  @Override
  public PCollection<GradientShard> expand(PCollection<KV<Integer, Iterable<TrainingItem>>> dealt) {
    int shards = spec.gradientShards;
    int s = step;
    return dealt
        .apply("ShardsOfStep", Filter.by((KV<Integer, Iterable<TrainingItem>> kv) -> kv.getKey() / shards == s))
        .apply("Gradient", ParDo.of(new ShardFn(spec, state, scratch, step))
            .withSideInputs(state))
        .setCoder(SerializableCoder.of(GradientShard.class));
  }

  /** Re-noising of item {@code sampleId}: time and noise of its k-th copy, fixed by the run seed and epoch. */
  static RamItems renoise(EpochSpec spec, List<TrainingItem> items, int dim) {
    int n = items.size();
    int k = spec.renoisings;
    float[] x = new float[n * dim];
    float[] signals = new float[n];
    float[] times = new float[n * k];
    float[] noise = new float[n * k * dim];
    List<String> prompts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      TrainingItem item = items.get(i);
      System.arraycopy(item.endpoint, 0, x, i * dim, dim);
      signals[i] = (float) item.signal;
      prompts.add(item.prompt);
      for (int j = 0; j < k; j++) {
        times[i * k + j] = (float) spec.timeSampler.time(Noise.uniform(Noise.seed(item.sampleId, spec.runSeed, spec.epoch, j, 1)));
        System.arraycopy(Noise.gaussian(Noise.seed(item.sampleId, spec.runSeed, spec.epoch, j, 2), dim), 0,
            noise, (i * k + j) * dim, dim);
      }
    }
    return new RamItems(x, prompts, signals, times, noise, k);
  }

  private static final class ShardFn extends DoFn<KV<Integer, Iterable<TrainingItem>>, GradientShard> {
    private final EpochSpec spec;
    private final PCollectionView<String> state;
    private final String scratch;
    private final String stepDir;
    private transient VelocityNetwork network;
    private transient ParameterSet reference;
    private transient String loadedFrom;
    private transient TrainingState loaded;
    private final StageTimer timer = StageTimer.of("gradient");

    ShardFn(EpochSpec spec, PCollectionView<String> state, String scratch, int step) {
      this.spec = spec;
      this.state = state;
      this.scratch = scratch;
      this.stepDir = StoreFiles.join(scratch, String.format("step-%03d", step));
    }

    @Setup
    public void setup() {
      TunedModel model = TunedModel.of(spec);
      network = model.network();
      reference = model.reference();
    }

    @ProcessElement
    public void process(ProcessContext c) {
      int shard = c.element().getKey() % spec.gradientShards;
      List<TrainingItem> items = new ArrayList<>();
      for (TrainingItem item : c.element().getValue()) {
        if (!item.isPlaceholder()) {
          items.add(item);
        }
      }
      items.sort((a, b) -> a.sampleId.compareTo(b.sampleId));
      String stateFile = c.sideInput(state);
      String carried = shard == 0 ? stateFile : null;
      if (items.isEmpty()) {
        c.output(GradientShard.empty(shard, carried));
        return;
      }
      if (!stateFile.equals(loadedFrom)) {
        loaded = TrainingState.fromBytes(StoreFiles.read(stateFile));
        loadedFrom = stateFile;
      }
      TrainingState s = loaded;
      ParameterSet old = spec.laggedPolicy == LaggedPolicy.EMA ? s.ema() : null;
      String gradientFile = StoreFiles.join(stepDir, String.format("gradient-shard-%03d.bin", shard));
      if (spec.isGrpo()) {
        c.output(GradientShard.of(shard, timer.time(() -> GrpoShardGradient.compute(spec, network, s.theta(), reference, items, scratch)),
            gradientFile, carried));
        return;
      }
      RamGradient.Result r = timer.time(() -> new RamGradient(network, spec.rewardMultiplier)
          .compute(s.theta(), reference, old, renoise(spec, items, network.sampleSize())));
      c.output(GradientShard.of(shard, r, gradientFile, carried));
    }
  }
}
