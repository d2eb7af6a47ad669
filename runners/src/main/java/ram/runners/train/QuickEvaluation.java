package ram.runners.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ram.model.OdeSampler;
import ram.model.ParameterSet;
import ram.model.VelocityNetwork;
import ram.rewards.Reward;
import ram.rewards.RewardInput;
import ram.rewards.RewardRegistry;
import ram.rewards.RewardSettings;
import ram.rewards.RewardResult;
import ram.schemas.Prompt;

/**
 * The training run's own progress check, in the driver's process: N samples with fixed noise
 * (prompts taken in turn from a prompt set), scored by the run's rewards. The mean per reward is
 * what {@code RESULT} lines and the run's metrics report.
 */
public final class QuickEvaluation {

  /** Images per scoring call. */
  private static final int BATCH = 500;
  /**
   * Images per sampler call: 64 at once (128 network rows with CFG) raised a geneval run's peak
   * resident memory from 5.2 to 7.0 GB, and batches past 8-16 are no faster on a CPU.
   */
  private static final int SAMPLE_BATCH = 16;

  private QuickEvaluation() {}

  /** Mean reward per reward name ({@code eval_<name>_mean}) and the number of scoring errors. */
  public static Map<String, Double> evaluate(VelocityNetwork network, ParameterSet theta, List<Prompt> prompts,
      Iterable<String> rewardNames, RewardSettings rewardSettings, int samples, OdeSampler sampler, long seed) {
    Map<String, Double> sums = new TreeMap<>();
    Map<String, Double> out = new TreeMap<>();
    double errors = 0;
    List<Reward> rewards = new ArrayList<>();
    rewardNames.forEach(n -> rewards.add(RewardRegistry.create(n, rewardSettings)));
    try {
      List<String> texts = new ArrayList<>(samples);
      for (int i = 0; i < samples; i++) {
        texts.add(prompts.get(i % prompts.size()).getText());
      }
      List<float[]> images = ImageModels.sample(network, theta, sampler, texts, seed, SAMPLE_BATCH);
      for (int start = 0; start < samples; start += BATCH) {
        List<RewardInput> inputs = new ArrayList<>(BATCH);
        for (int i = start; i < Math.min(samples, start + BATCH); i++) {
          inputs.add(new RewardInput("eval-" + i, images.get(i), network.imageShape(), texts.get(i),
              prompts.get(i % prompts.size()).getMetadataJson()));
        }
        for (Reward r : rewards) {
          for (RewardResult result : r.score(inputs)) {
            if (result.ok()) {
              sums.merge(r.name(), result.value(), Double::sum);
            } else {
              errors++;
            }
          }
        }
      }
    } finally {
      rewards.forEach(Reward::close);
    }
    for (Reward r : rewards) {
      out.put("eval_" + r.name() + "_mean", sums.getOrDefault(r.name(), 0.0) / samples);
    }
    out.put("eval_errors", errors);
    return out;
  }
}
