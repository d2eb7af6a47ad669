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
  private final PCollection<byte[]> state;

  /** @param state the state this step starts from (a single element) */
  public OptimizerStep(EpochSpec spec, int step, PCollection<byte[]> state) {
    this.spec = spec;
    this.step = step;
    this.state = state;
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<Integer, Iterable<TrainingItem>>> dealt) {
    PCollectionView<byte[]> view = state.apply("StateView", View.asSingleton());
    return dealt
        .apply("ComputeGradients", new ComputeGradients(spec, step, view))
        .apply("SumGradients", new SumGradients())
        .apply("ApplyUpdate", new ApplyUpdate(spec, step));
  }
}
