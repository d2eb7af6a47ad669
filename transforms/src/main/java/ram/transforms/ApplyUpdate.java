package ram.transforms;

import java.util.List;
import java.util.TreeMap;

import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

import ram.model.ParameterTraffic;
import ram.model.Ema;
import ram.model.Optimizer;
import ram.model.ParameterSet;
import ram.model.TrainingState;
import ram.schemas.Metric;

/**
 * One optimizer step: the summed gradient divided by the step's item count (the step loss is the
 * mean over items), prepared by the epoch's algorithm (Flow-GRPO clips its norm; RAM leaves it),
 * then the run's optimizer (AdamW). After the epoch's last step it also moves the lagged
 * policy (EMA) and stamps the epoch. The step's starting state arrives with the summed gradient.
 * Emits the new state and the step's diagnostics: the mean of each of the algorithm's shard sums,
 * its step metrics, and the item count.
 */
public final class ApplyUpdate extends PTransform<PCollection<GradientShard>, PCollectionTuple> {

  /** The stage label of its reads and writes ({@link ParameterTraffic}), as its {@link StageTimer}'s. */
  public static final String STAGE = "update";

  /** where the new state is stored */
  public static final TupleTag<String> STATE = new TupleTag<>() {};
  public static final TupleTag<Metric> METRICS = new TupleTag<>() {};

  private final EpochSpec spec;
  private final int step;
  private final String stateFile;

  /** @param stateFile where the new state is stored */
  public ApplyUpdate(EpochSpec spec, int step, String stateFile) {
    this.spec = spec;
    this.step = step;
    this.stateFile = stateFile;
  }

  @Override
  public PCollectionTuple expand(PCollection<GradientShard> sum) {
    PCollectionTuple out = sum.apply("Step", ParDo.of(new UpdateFn(spec, step, stateFile))
        .withOutputTags(STATE, TupleTagList.of(METRICS)));
    out.get(STATE).setCoder(StringUtf8Coder.of());
    out.get(METRICS).setCoder(AvroCoder.of(Metric.class));
    return out;
  }

  /**
   * The update itself, without a pipeline: the new state after one step on {@code gradientSum}
   * (the sum over {@code items} items, or null when there were none; scaled in place).
   */
  public static TrainingState update(EpochSpec spec, int step, TrainingState before, ParameterSet gradientSum, long items) {
    ParameterSet theta = before.theta().copy();
    Optimizer.State optimizer = before.optimizer();
    if (items > 0) {
      gradientSum.scaleInPlace((float) (1.0 / items));
      spec.algorithm.prepareGradient(gradientSum);
      optimizer = spec.optimizer.step(theta, gradientSum, optimizer);
      if (!theta.allFinite()) {
        throw new IllegalStateException("epoch " + spec.epoch + " step " + step
            + ": the update produced non-finite parameters; lower learning_rate or reward_multiplier");
      }
    }
    boolean lastStep = step == spec.optimizerSteps - 1;
    if (!lastStep) {
      return new TrainingState(before.epoch(), theta, before.ema(), optimizer);
    }
    return new TrainingState(spec.epoch, theta, Ema.update(before.ema(), theta, spec.epoch), optimizer);
  }

  /**
   * Refuses a summed gradient with non-finite values, naming the tensors. A finite loss with a
   * non-finite gradient is a fault of the engine (libtorch's 3-channel convolution backward did
   * this: docs/research/convolution-gradient.md), not a divergence, and says so.
   */
  static void requireFiniteGradient(int epoch, int step, ParameterSet gradientSum, double lossSum) {
    List<String> names = gradientSum.nonFiniteNames();
    if (names.isEmpty()) {
      return;
    }
    String where = names.size() <= 4 ? names.toString()
        : names.size() + " tensors (" + String.join(", ", names.subList(0, 3)) + ", ..., " + names.get(names.size() - 1) + ")";
    throw new IllegalStateException("epoch " + epoch + " step " + step + ": the gradient is non-finite in " + where
        + (Double.isFinite(lossSum)
            ? " although the loss is finite: a fault of the engine, not a divergence (docs/research/convolution-gradient.md); rerun the command to resume"
            : " and so is the loss: training diverged; lower learning_rate or reward_multiplier"));
  }

  private static final class UpdateFn extends DoFn<GradientShard, String> {
    private final EpochSpec spec;
    private final int step;
    private final String stateFile;
    private final StageTimer timer = StageTimer.of(STAGE);

    UpdateFn(EpochSpec spec, int step, String stateFile) {
      this.spec = spec;
      this.step = step;
      this.stateFile = stateFile;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      ParameterTraffic.during(STAGE, () -> step(c));
    }

    private void step(ProcessContext c) {
      GradientShard sum = c.element();
      ParameterSet gradientSum = sum.items > 0 ? sum.gradientSum() : null;
      if (gradientSum != null) {
        requireFiniteGradient(spec.epoch, step, gradientSum, sum.sums.getOrDefault("loss", Double.NaN));
      }
      double gradientNorm = gradientSum == null ? 0 : gradientSum.norm() / sum.items; // before the update scales it
      byte[] updated = timer.time(() -> update(spec, step, TrainingState.fromBytes(StoreFiles.read(sum.state)), gradientSum, sum.items)
          .toBytes());
      StoreFiles.writeAtomically(stateFile, updated);
      FaultInjection.reach("update", spec.epoch);
      c.output(stateFile);
      if (sum.items > 0) {
        sum.sums.forEach((name, value) -> metric(c, name, value / sum.items));
        new TreeMap<>(spec.algorithm.stepMetrics(gradientNorm)).forEach((name, value) -> metric(c, name, value));
      }
      metric(c, "items", sum.items);
    }

    private void metric(ProcessContext c, String name, double value) {
      c.output(METRICS, Metric.newBuilder().setEpoch(spec.epoch).setStep(step).setName(name).setValue(value).build());
    }
  }
}
