package ram.transforms;

import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;

import ram.model.ParameterTraffic;
import ram.model.TrainingState;

/**
 * Reads the state an epoch starts from (the parent checkpoint, or the start of the fine-tuning:
 * the base weights, or LoRA adapters that compute the base) on a worker and puts
 * it in the epoch's scratch directory; the pipeline passes on only its location, because a state
 * (parameters, EMA, Adam moments) is far larger than a record a shuffle should carry.
 */
public final class LoadState extends PTransform<PBegin, PCollection<String>> {

  /** The stage label of its reads and writes ({@link ParameterTraffic}). */
  public static final String STAGE = "load_state";

  private final EpochSpec spec;
  private final String scratch;

  public LoadState(EpochSpec spec, String scratch) {
    this.spec = spec;
    this.scratch = scratch;
  }

  @Override
  public PCollection<String> expand(PBegin begin) {
    EpochSpec s = spec;
    String file = StoreFiles.join(scratch, "state-start.bin");
    return begin.apply("Once", Create.of(0))
        .apply("Read", ParDo.of(new DoFn<Integer, String>() {
          @ProcessElement
          public void process(OutputReceiver<String> out) {
            ParameterTraffic.during(STAGE, () -> {
              TrainingState state = TunedModel.of(s).state(s.parentCheckpoint);
              StoreFiles.writeAtomically(file, state.toBytes());
            });
            out.output(file);
          }
        }))
        .setCoder(StringUtf8Coder.of());
  }
}
