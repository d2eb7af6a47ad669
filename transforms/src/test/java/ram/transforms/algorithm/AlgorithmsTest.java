package ram.transforms.algorithm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import ram.transforms.algorithm.flowgrpo.FlowGrpoAlgorithm;
import ram.transforms.algorithm.ram.RamAlgorithm;

/** The config's {@code algorithm} name picks the implementation; RAM where it is absent; an unknown name is refused. */
class AlgorithmsTest {

  static final Map<String, Object> RAM_KEYS = Map.of("advantage", "raw_reward", "reward_multiplier", 5.0, "renoisings", 4,
      "time_sampler", "uniform", "lagged_policy", "current");

  @Test
  void namesListRamFirst() {
    assertEquals(List.of("ram", "flow_grpo"), Algorithms.names());
  }

  @Test
  void aConfigWithoutAnAlgorithmRunsRam() {
    PostTrainingAlgorithm a = Algorithms.of(new MapConfig(RAM_KEYS));
    assertTrue(a instanceof RamAlgorithm, a.toString());
    assertEquals("ram", a.name());
    assertEquals(4, ((RamAlgorithm) a).renoisings());
  }

  @Test
  void flowGrpoIsBuiltFromItsKeys() {
    PostTrainingAlgorithm a = Algorithms.of(new MapConfig(Map.of("algorithm", "flow_grpo", "sde_noise_level", 0.7,
        "grpo_trained_steps", 9, "grpo_clip_range", 1e-4, "beta_kl", 0.04, "max_grad_norm", 1.0, "advantage_clip", 5.0,
        "sample_steps", 10)));
    assertEquals(new FlowGrpoAlgorithm(0.7, 9, 1e-4, 0.04, 1.0, 5.0), a);
    assertEquals("flow_grpo", a.name());
  }

  @Test
  void anUnknownAlgorithmIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Algorithms.named("diffusion_nft", new MapConfig(RAM_KEYS)));
    assertEquals("unknown algorithm 'diffusion_nft'; expected one of [ram, flow_grpo]", e.getMessage());
  }
}
