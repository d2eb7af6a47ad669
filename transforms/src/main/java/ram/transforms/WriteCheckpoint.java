package ram.transforms;

import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;

import ram.model.Checkpoint;
import ram.model.TrainingState;

/** Writes the epoch's final state (read from where the last update stored it) as a training checkpoint directory (manifest written last). */
public final class WriteCheckpoint extends PTransform<PCollection<String>, PDone> {

  private final String directory;
  private final String architecture;
  private final String parent;

  public WriteCheckpoint(String directory, String architecture, String parent) {
    this.directory = directory;
    this.architecture = architecture;
    this.parent = parent;
  }

  @Override
  public PDone expand(PCollection<String> state) {
    String dir = directory;
    String arch = architecture;
    String par = parent;
    state.apply("Write", ParDo.of(new DoFn<String, Void>() {
      @ProcessElement
      public void process(@Element String stateFile) {
        TrainingState s = TrainingState.fromBytes(StoreFiles.read(stateFile));
        CheckpointStore.writeFiles(dir, Checkpoint.encodeTraining(s, arch, par), () -> FaultInjection.reach("checkpoint", s.epoch()));
      }
    }));
    return PDone.in(state.getPipeline());
  }
}
