package ram.model;

import java.util.List;

/**
 * The training items of one Flow-GRPO step: for each rollout of the batch, the state before the
 * trained SDE step {@code k}, the state after it, the log-probability the sampling policy gave
 * it, the rollout's advantage and its prompt. Row-major {@code [count * sampleSize]} states.
 */
public record GrpoItems(int step, float[] states, float[] nextStates, float[] oldLogProbs, float[] advantages, List<String> prompts) {

  public GrpoItems {
    if (oldLogProbs.length != prompts.size() || advantages.length != prompts.size()) {
      throw new IllegalArgumentException("GRPO items: " + prompts.size() + " prompts, " + oldLogProbs.length + " log-probabilities, "
          + advantages.length + " advantages");
    }
  }

  public int count() {
    return prompts.size();
  }
}
