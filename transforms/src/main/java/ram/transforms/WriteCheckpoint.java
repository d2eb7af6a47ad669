package ram.transforms;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

import ram.model.ParameterTraffic;
import ram.model.Checkpoint;
import ram.model.TrainingState;

/**
 * Writes the epoch's final state (read from where the last update stored it) as a training
 * checkpoint directory (manifest written last). Its parent is the previous epoch's checkpoint, or
 * the base for epoch 1; a LoRA run's manifest also records its adapters' settings and base.
 */
public final class WriteCheckpoint extends PTransform<PCollection<String>, PDone> {

  /** The stage label of its reads and writes ({@link ParameterTraffic}). */
  public static final String STAGE = "checkpoint";

  private final String directory;
  private final EpochSpec spec;

  public WriteCheckpoint(String directory, EpochSpec spec) {
    this.directory = directory;
    this.spec = spec;
  }

  @Override
  public PDone expand(PCollection<String> state) {
    String dir = directory;
    EpochSpec epoch = spec;
    String parent = spec.parentCheckpoint == null ? spec.baseCheckpoint : spec.parentCheckpoint;
    state.apply("Write", ParDo.of(new DoFn<String, Void>() {
      @ProcessElement
      public void process(@Element String stateFile) {
        ParameterTraffic.during(STAGE, () -> {
          TrainingState s = TrainingState.fromBytes(StoreFiles.read(stateFile));
          TunedModel model = TunedModel.of(epoch);
          CheckpointStore.writeFiles(dir, Checkpoint.encodeTraining(s, model.network().architecture(), parent, model.manifestEntries()),
              () -> FaultInjection.reach("checkpoint", s.epoch()));
        });
      }
    }));
    return PDone.in(state.getPipeline());
  }
}
