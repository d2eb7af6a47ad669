package ram.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Classifier-free guidance (docs/algorithm.md section 1): {@code v = v_uncond + w (v_cond - v_uncond)}, the
 * conditional and unconditional rows run as one batch. Shared by the ODE sampler, the SDE sampler
 * and the Flow-GRPO loss, which trains through the guided velocity.
 */
public final class Guidance {

  private Guidance() {}

  /** Whether a network with this guidance scale needs the unconditional rows. */
  public static boolean applies(VelocityNetwork network, double scale) {
    return network.conditional() && scale != 1.0;
  }

  /** The rows a guided batch runs: the prompts, then as many empty prompts when guidance applies. */
  public static List<String> rows(VelocityNetwork network, double scale, List<String> prompts) {
    if (!applies(network, scale)) {
      return prompts;
    }
    List<String> rows = new ArrayList<>(prompts);
    rows.addAll(Collections.nCopies(prompts.size(), ""));
    return rows;
  }

  /**
   * The guided velocity of {@code x} ({@code [B, ...]}) at times {@code t} ({@code [B]}).
   *
   * @param encoded {@link VelocityNetwork#encodePrompts} of {@link #rows}, or null
   */
  public static NDArray velocity(VelocityNetwork network, NDList parameters, NDArray x, NDArray t, List<String> prompts,
      double scale, Object encoded) {
    List<String> rows = rows(network, scale, prompts);
    if (rows == prompts) {
      return network.velocity(parameters, x, t, prompts, encoded);
    }
    int batch = prompts.size();
    NDArray v = network.velocity(parameters, NDArrays.concat(new NDList(x, x)), NDArrays.concat(new NDList(t, t)), rows, encoded);
    NDArray cond = v.get("0:" + batch);
    NDArray uncond = v.get(batch + ":");
    return uncond.add(cond.sub(uncond).mul(Scalars.of(uncond, scale)));
  }
}
