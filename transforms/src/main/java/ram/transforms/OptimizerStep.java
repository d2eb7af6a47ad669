package ram.transforms;

import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;

/**
 * One gradient stage of the epoch: {@link ComputeGradients} -> {@link SumGradients} ->
 * {@link ApplyUpdate}, against the state the previous stage produced. Several steps per epoch are
 * several of these, chained through their state.
 */
public final class OptimizerStep extends PTransform<PCollection<KV<Integer, Iterable<TrainingItem>>>, PCollectionTuple> {

  private final EpochSpec spec;
  private final int step;
  private final PCollection<String> state;
  private final String scratch;

  /**
   * @param state where the state this step starts from is stored (a single element)
   * @param scratch the epoch's scratch directory: gradients and states, passed by location
   */
  public OptimizerStep(EpochSpec spec, int step, PCollection<String> state, String scratch) {
    this.spec = spec;
    this.step = step;
    this.state = state;
    this.scratch = scratch;
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<Integer, Iterable<TrainingItem>>> dealt) {
    PCollectionView<String> view = state.apply("StateView", View.asSingleton());
    String stepDir = StoreFiles.join(scratch, String.format("step-%03d", step));
    return dealt
        .apply("ComputeGradients", new ComputeGradients(spec, step, view, scratch))
        .apply("SumGradients", new SumGradients(StoreFiles.join(stepDir, "gradient-sum.bin")))
        .apply("ApplyUpdate", new ApplyUpdate(spec, step, StoreFiles.join(stepDir, "state.bin")));
  }
}
