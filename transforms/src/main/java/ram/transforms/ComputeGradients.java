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

import ram.model.ParameterTraffic;
import ram.model.ParameterSet;
import ram.model.TrainingState;
import ram.model.VelocityNetwork;
import ram.transforms.algorithm.ShardGradient;

/**
 * The data-parallel half of an optimizer step: each of the step's shards (dealt by
 * {@link DealToShards}) computes the epoch algorithm's
 * {@link ram.transforms.algorithm.PostTrainingAlgorithm#shardGradient} of its items against the
 * step's parameters (a side input): for RAM, the summed RAM loss over K re-noisings of each item;
 * for Flow-GRPO, the summed clipped GRPO loss over its rollouts' trained steps. Shards are
 * independent; only {@link SumGradients} brings them together.
 */
public final class ComputeGradients
    extends PTransform<PCollection<KV<Integer, Iterable<TrainingItem>>>, PCollection<GradientShard>> {

  /** The stage label of its reads, writes and uploads ({@link ParameterTraffic}), as its {@link StageTimer}'s. */
  public static final String STAGE = "gradient";

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

  private static final class ShardFn extends DoFn<KV<Integer, Iterable<TrainingItem>>, GradientShard> {
    private final EpochSpec spec;
    private final PCollectionView<String> state;
    private final String scratch;
    private final String stepDir;
    private transient VelocityNetwork network;
    private transient ParameterSet reference;
    private transient String loadedFrom;
    private transient TrainingState loaded;
    private final StageTimer timer = StageTimer.of(STAGE);

    ShardFn(EpochSpec spec, PCollectionView<String> state, String scratch, int step) {
      this.spec = spec;
      this.state = state;
      this.scratch = scratch;
      this.stepDir = StoreFiles.join(scratch, String.format("step-%03d", step));
    }

    @Setup
    public void setup() {
      ParameterTraffic.during(STAGE, () -> {
        TunedModel model = TunedModel.of(spec);
        network = model.network();
        reference = model.reference();
      });
    }

    @ProcessElement
    public void process(ProcessContext c) {
      ParameterTraffic.during(STAGE, () -> gradient(c));
    }

    private void gradient(ProcessContext c) {
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
      String gradientFile = StoreFiles.join(stepDir, String.format("gradient-shard-%03d.bin", shard));
      ShardGradient r = timer.time(() -> spec.algorithm.shardGradient(spec, network, s, reference, items, scratch));
      c.output(GradientShard.of(shard, r, gradientFile, carried));
    }
  }
}
