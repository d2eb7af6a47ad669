package ram.model;

import java.util.List;

/**
 * The training items of one gradient computation: N endpoints with their prompts and signals
 * ({@code A}), each re-noised K times with its own time and noise.
 *
 * @param endpoints {@code N * D} clean samples, row-major
 * @param prompts N prompts
 * @param signals N advantages (or raw rewards in the tutorial variant), before the multiplier
 * @param times {@code N * K} re-noising times, item-major
 * @param noise {@code N * K * D} re-noising noise, item-major
 * @param renoisings K
 */
public record RamItems(float[] endpoints, List<String> prompts, float[] signals, float[] times, float[] noise,
    int renoisings) {

  public int count() {
    return prompts.size();
  }
}
