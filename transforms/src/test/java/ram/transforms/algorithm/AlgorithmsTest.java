package ram.transforms.algorithm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ram.config.ConfigKeys;
import ram.config.RunConfig;
import ram.transforms.algorithm.flowgrpo.FlowGrpoAlgorithm;
import ram.transforms.algorithm.ram.RamAlgorithm;

/** The config's {@code algorithm} name picks the implementation; RAM where it is absent; an unknown name is refused. */
class AlgorithmsTest {

  @TempDir Path tmp;

  private RunConfig config(String yaml) throws Exception {
    Path f = tmp.resolve("run.yaml");
    Files.writeString(f, yaml);
    return RunConfig.load(f, Map.of());
  }

  @Test
  void namesListRamFirstAndMatchTheConfigKeysChoices() {
    assertEquals(List.of("ram", "flow_grpo"), Algorithms.names());
    assertEquals(Algorithms.names(), ConfigKeys.get("algorithm").choices(), "every algorithm is a choice of the algorithm key");
  }

  @Test
  void aConfigWithoutAnAlgorithmRunsRam() throws Exception {
    PostTrainingAlgorithm a = Algorithms.of(config("advantage: raw_reward\nreward_multiplier: 5.0\nrenoisings: 3\n"
        + "time_sampler: uniform\nlagged_policy: current\n"));
    assertTrue(a instanceof RamAlgorithm, a.toString());
    assertEquals("ram", a.name());
    assertEquals(3, ((RamAlgorithm) a).renoisings());
    assertEquals(5.0, ((RamAlgorithm) a).rewardMultiplier());
  }

  @Test
  void flowGrpoIsBuiltFromItsKeys() throws Exception {
    PostTrainingAlgorithm a = Algorithms.of(config("algorithm: flow_grpo\nsde_noise_level: 0.5\ngrpo_trained_steps: 7\n"
        + "grpo_clip_range: 2.0e-4\nbeta_kl: 0.01\nmax_grad_norm: 2.0\nadvantage_clip: 3.0\nsample_steps: 10\n"));
    assertEquals(new FlowGrpoAlgorithm(0.5, 7, 2e-4, 0.01, 2.0, 3.0), a);
    assertEquals("flow_grpo", a.name());
  }

  @Test
  void anUnknownAlgorithmIsNamed() throws Exception {
    RunConfig ram = config("renoisings: 3\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Algorithms.named("diffusion_nft", ram));
    assertEquals("unknown algorithm 'diffusion_nft'; expected one of [ram, flow_grpo]", e.getMessage());
  }
}
