package ram.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.model.Checkpoint;
import ram.model.LoraNetwork;
import ram.model.Noise;
import ram.model.OdeSampler;
import ram.model.ParameterSet;
import ram.model.ToyVelocityMlp;
import ram.model.TrainingState;

/**
 * Full and LoRA fine-tuning built from one place: LoRA starts at adapters that sample exactly the
 * base, and that start is also the reference; its checkpoints load without a config over the base
 * their manifest names, and a changed base is refused.
 */
class TunedModelTest {

  private static final LoraNetwork.Config LORA = new LoraNetwork.Config(2, 4, List.of("linear[12]"));

  @TempDir Path tmp;

  private String writeBase(String name, long seed) {
    String dir = tmp.resolve(name).toString();
    CheckpointStore.writeFiles(dir, Checkpoint.encodeBase(new ToyVelocityMlp().initialize(seed), ToyVelocityMlp.ARCHITECTURE, Map.of()));
    return dir;
  }

  private static float[] sample(TunedModel model, ParameterSet theta) {
    return new OdeSampler(4, 1, 1).sample(model.network(), theta, Noise.gaussian(3, 16), java.util.Collections.nCopies(8, ""));
  }

  @Test
  void loraStartsAtTheBaseAndIsItsOwnReference() {
    String base = writeBase("base", 1);
    TunedModel full = TunedModel.load(ToyVelocityMlp.ARCHITECTURE, base, null, 42);
    TunedModel lora = TunedModel.load(ToyVelocityMlp.ARCHITECTURE, base, LORA, 42);
    assertEquals(CheckpointStore.readTheta(base), full.start());
    assertTrue(lora.start().names().stream().allMatch(n -> n.startsWith("lora.linear")), lora.start().names().toString());
    assertEquals(4, lora.start().names().size());
    assertEquals(lora.start(), lora.reference());
    assertEquals(lora.start(), TunedModel.load(ToyVelocityMlp.ARCHITECTURE, base, LORA, 42).start(), "seeded by the run seed");
    assertArrayEquals(sample(full, full.start()), sample(lora, lora.start()));
    assertEquals(Map.of(), full.manifestEntries());
  }

  @Test
  void loraCheckpointsLoadOverTheirBaseAndRefuseAChangedOne() {
    String base = writeBase("base", 1);
    TunedModel lora = TunedModel.load(ToyVelocityMlp.ARCHITECTURE, base, LORA, 42);
    String checkpoint = tmp.resolve("checkpoint").toString();
    TrainingState state = lora.state(null);
    CheckpointStore.writeFiles(checkpoint, Checkpoint.encodeTraining(state, lora.network().architecture(), base, lora.manifestEntries()));
    TunedModel.Policy policy = TunedModel.readPolicy(checkpoint);
    assertEquals(lora.network().architecture(), policy.network().architecture());
    assertEquals(state.theta(), policy.theta());
    assertEquals(state.theta(), lora.state(checkpoint).theta());

    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> TunedModel.load(ToyVelocityMlp.ARCHITECTURE, base, null, 42).state(checkpoint));
    assertTrue(other.getMessage().contains("this run fine-tunes " + ToyVelocityMlp.ARCHITECTURE), other.getMessage());
    writeBase("base", 2);
    IllegalArgumentException changed = assertThrows(IllegalArgumentException.class,
        () -> TunedModel.load(ToyVelocityMlp.ARCHITECTURE, base, LORA, 42).state(checkpoint));
    assertTrue(changed.getMessage().contains("the base was changed"), changed.getMessage());
    IllegalArgumentException noTarget = assertThrows(IllegalArgumentException.class,
        () -> TunedModel.load(ToyVelocityMlp.ARCHITECTURE, base, new LoraNetwork.Config(2, 4, List.of("nothing")), 42));
    assertTrue(noTarget.getMessage().startsWith("lora_targets"), noTarget.getMessage());
  }
}
