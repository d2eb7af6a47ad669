package ram.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.junit.jupiter.api.Test;

import ram.model.AdamW;
import ram.model.AdvantageMode;
import ram.model.LaggedPolicy;
import ram.model.OdeSampler;
import ram.model.TimeSampler;
import ram.schemas.Advantage;
import ram.schemas.Prompt;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.schemas.SamplerSettings;
import ram.transforms.algorithm.PostTrainingAlgorithm;
import ram.transforms.algorithm.flowgrpo.FlowGrpoAlgorithm;
import ram.transforms.algorithm.ram.RamAlgorithm;

/**
 * The advantage stage with each algorithm, on the DirectRunner: under Flow-GRPO (docs/algorithm.md section 5)
 * advantages are clipped to +-5 and groups whose rewards are all equal yield no training items,
 * while under RAM's recipe (no clip) every group trains.
 */
class ComputeAdvantagesTest implements Serializable {

  /** What the DirectRunner's workers (threads of this JVM) emitted, per test. */
  static final java.util.concurrent.ConcurrentLinkedQueue<TrainingItem> ITEMS = new java.util.concurrent.ConcurrentLinkedQueue<>();
  static final java.util.concurrent.ConcurrentLinkedQueue<Advantage> ADVANTAGES = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** Adds each element to the static queue {@code ITEMS} or {@code ADVANTAGES} (by name: a DoFn is serialized, a static is not). */
  static <T> void collect(PCollection<T> values, String queue) {
    values.apply("Collect" + queue, ParDo.of(new DoFn<T, Void>() {
      @ProcessElement
      public void process(@Element T value) {
        if (queue.equals("Items")) {
          ITEMS.add((TrainingItem) value);
        } else {
          ADVANTAGES.add((Advantage) value);
        }
      }
    }));
  }

  /** Runs ComputeAdvantages over the epoch below; fills ITEMS and ADVANTAGES. */
  static void run(EpochSpec spec) {
    ITEMS.clear();
    ADVANTAGES.clear();
    Pipeline p = Pipeline.create();
    PCollectionTuple out = epoch(p, spec);
    collect(out.get(ComputeAdvantages.ITEMS), "Items");
    collect(out.get(ComputeAdvantages.ADVANTAGES), "Advantages");
    p.run().waitUntilFinish();
  }

  static EpochSpec spec(PostTrainingAlgorithm algorithm) {
    return new EpochSpec(42, 1, "toy-mlp-2d-128x3", null, "unused", 8, 10, OdeSampler.Method.EULER, 1, 1, Map.of("toy2d", 1.0), 1, 1,
        AdamW.of(1e-3, 0), algorithm, null, null, null);
  }

  static final RamAlgorithm RAM = new RamAlgorithm(AdvantageMode.GROUP_NORMALIZED, 1, 1, TimeSampler.UNIFORM, LaggedPolicy.EMA);

  /** Group a: 30 rewards of 0 (all equal). Group b: 15 of 0 and one 1, whose advantage is (1 - 1/16) / std = 6.42. */
  static PCollectionTuple epoch(Pipeline p, EpochSpec spec) {
    List<Sample> samples = new ArrayList<>();
    List<Reward> rewards = new ArrayList<>();
    SamplerSettings settings = SamplerSettings.newBuilder().setName("test").setSteps(1).setCfgScale(1).setTimeShift(1).build();
    for (int slot = 0; slot < 2; slot++) {
      String id = slot == 0 ? "a" : "b";
      Prompt prompt = Prompt.newBuilder().setPromptId(id).setText("").build();
      int g = slot == 0 ? 30 : 16;
      for (int i = 0; i < g; i++) {
        Sample s = SampleEndpoints.sample(spec, KV.of(slot, prompt), i, i, 0, LaggedPolicy.CURRENT, settings,
            Tensors.of(new float[] {0, 0}, new int[] {2}));
        samples.add(s);
        rewards.add(Reward.newBuilder().setSampleId(s.getSampleId()).setEpoch(1).setPromptId(id).setRewardName("toy2d")
            .setRewardVersion("test").setValue(slot == 1 && i == 15 ? 1.0 : 0.0).build());
      }
    }
    return PCollectionTuple.of(ComputeAdvantages.SAMPLES, p.apply("Samples", Create.of(samples).withCoder(AvroCoder.of(Sample.class))))
        .and(ComputeAdvantages.REWARDS, p.apply("Rewards", Create.of(rewards).withCoder(AvroCoder.of(Reward.class))))
        .apply(new ComputeAdvantages(spec));
  }

  @Test
  void flowGrpoClipsAdvantagesAndDropsGroupsWhoseRewardsAreAllEqual() {
    run(spec(new FlowGrpoAlgorithm(0.7, 9, 1e-4, 0.04, 1.0, 5.0)));
    for (TrainingItem i : ITEMS) {
      assertTrue(i.sampleId.contains("-p00001-"), "only group b trains: " + i.sampleId);
    }
    assertEquals(16, ITEMS.size());
    assertEquals(5.0, ITEMS.stream().mapToDouble(i -> i.signal).max().orElseThrow(), 0.0, "clipped to +5");
    assertEquals(46, ADVANTAGES.size(), "every scored sample keeps its advantage record");
    for (Advantage a : ADVANTAGES) {
      assertTrue(Math.abs(a.getAdvantage()) <= 5.0);
      if (a.getPromptId().equals("a")) {
        assertEquals(0.0, a.getAdvantage(), 0.0);
      }
    }
  }

  @Test
  void ramKeepsEveryGroupAndDoesNotClip() {
    run(spec(RAM));
    assertEquals(46, ITEMS.size());
    double std = Math.sqrt(1.0 / 46 - 1.0 / (46.0 * 46));
    assertEquals((1 - 1.0 / 16) / (std + 1e-4), ITEMS.stream().mapToDouble(i -> i.signal).max().orElseThrow(), 1e-9);
  }
}
