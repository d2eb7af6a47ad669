package ram.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.AdamW;
import ram.model.AdvantageMode;
import ram.model.LaggedPolicy;
import ram.model.Noise;
import ram.model.OdeSampler;
import ram.model.Optimizer;
import ram.model.ParameterSet;
import ram.model.RamGradient;
import ram.model.TimeSampler;
import ram.model.ToyVelocityMlp;
import ram.model.TrainingState;
import ram.transforms.algorithm.ShardGradient;
import ram.transforms.algorithm.ram.RamAlgorithm;

/**
 * Data parallelism does not change the update: the RAM gradient of an epoch's items computed in
 * shards and summed by {@link SumGradients} equals one worker's gradient of all items (up to float
 * summation order), and summing the same shards again gives the same bits.
 */
class ShardedGradientsTest {

  @TempDir Path tmp;

  @Test
  void shardedGradientsSummedEqualASingleWorkersGradient() {
    ToyVelocityMlp network = new ToyVelocityMlp();
    ParameterSet reference = network.initialize(1);
    ParameterSet theta = network.initialize(2);
    ParameterSet old = network.initialize(3);
    RamAlgorithm ram = new RamAlgorithm(AdvantageMode.GROUP_NORMALIZED, 5.0, 4, TimeSampler.SQRT_UNIFORM, LaggedPolicy.EMA);
    EpochSpec spec = new EpochSpec(42, 3, network.architecture(), null, "unused", 8, 10, OdeSampler.Method.EULER, 1, 1,
        Map.of("toy2d", 1.0), 1, 3, AdamW.of(1e-3, 0), ram, null, null, null);
    TrainingState state = new TrainingState(2, theta, old, Optimizer.State.zerosLike(theta));
    List<TrainingItem> items = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      float[] x = Noise.gaussian(Noise.seed(7, i), 2);
      items.add(new TrainingItem(String.format("e000003-p%05d-g%03d", i / 8, i % 8), "", x, Noise.uniform(Noise.seed(8, i)) - 0.5, 0));
    }
    ShardGradient single = ram.shardGradient(spec, network, state, reference, items, "unused");
    RamGradient.Result direct = new RamGradient(network, 5.0).compute(theta, reference, old, ram.renoise(spec, items, 2));
    String first = direct.gradientSum().names().get(0);
    assertArrayEquals(direct.gradientSum().get(first), single.gradientSum().get(first),
        "the algorithm's shard gradient is RAM's gradient with the EMA as v_old");

    SumGradients.SumFn sum = new SumGradients.SumFn(tmp.resolve("sum.bin").toString());
    TreeMap<Integer, GradientShard> acc = sum.createAccumulator();
    for (int shard = 2; shard >= 0; shard--) { // arrival order does not matter
      List<TrainingItem> part = new ArrayList<>();
      for (int i = 0; i < items.size(); i++) {
        if (i % 3 == shard) {
          part.add(items.get(i));
        }
      }
      ShardGradient r = ram.shardGradient(spec, network, state, reference, part, "unused");
      acc = sum.addInput(acc, GradientShard.of(shard, r, tmp.resolve("shard-" + shard + ".bin").toString(), shard == 0 ? "state" : null));
    }
    GradientShard summedShard = sum.extractOutput(acc);
    ParameterSet summedGradient = summedShard.gradientSum();
    assertEquals(single.items(), summedShard.items);
    assertEquals(single.sums().get("loss"), summedShard.sums.get("loss"), 1e-6 * Math.abs(single.sums().get("loss")));
    double scale = 0;
    for (String name : single.gradientSum().names()) {
      for (float v : single.gradientSum().get(name)) {
        scale = Math.max(scale, Math.abs(v));
      }
    }
    assertTrue(scale > 0);
    for (String name : single.gradientSum().names()) {
      float[] a = single.gradientSum().get(name);
      float[] b = summedGradient.get(name);
      for (int i = 0; i < a.length; i++) {
        assertEquals(a[i], b[i], 1e-5 * scale, name + "[" + i + "]");
      }
    }
    float[] again = sum.extractOutput(acc).gradientSum().get(single.gradientSum().names().get(0));
    assertArrayEquals(summedGradient.get(single.gradientSum().names().get(0)), again, "the same shards sum to the same bits");
  }
}
