package ram.transforms;

import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

import ram.model.TrainingState;

/** Reads the state an epoch starts from (the parent checkpoint, or the base) on a worker. */
public final class LoadState extends PTransform<PBegin, PCollection<byte[]>> {

  private final EpochSpec spec;

  public LoadState(EpochSpec spec) {
    this.spec = spec;
  }

  @Override
  public PCollection<byte[]> expand(PBegin begin) {
    EpochSpec s = spec;
    return begin.apply("Once", Create.of(0))
        .apply("Read", ParDo.of(new DoFn<Integer, byte[]>() {
          @ProcessElement
          public void process(OutputReceiver<byte[]> out) {
            TrainingState state = CheckpointStore.readState(s.parentCheckpoint, s.baseCheckpoint);
            out.output(state.toBytes());
          }
        }))
        .setCoder(ByteArrayCoder.of());
  }
}
