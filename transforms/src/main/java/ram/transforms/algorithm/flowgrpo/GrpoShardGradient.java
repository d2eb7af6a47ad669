package ram.transforms.algorithm.flowgrpo;

import java.util.ArrayList;
import java.util.List;

import ram.model.GrpoGradient;
import ram.model.GrpoItems;
import ram.model.ParameterSet;
import ram.model.VelocityNetwork;
import ram.transforms.EpochSpec;
import ram.transforms.TrainingItem;

/**
 * Flow-GRPO's gradient of one shard: the clipped GRPO loss summed over every (rollout, trained
 * step) pair of the shard's items, one batch per trained step, as the reference accumulates over
 * timesteps. The update divides by the pair count: the step's loss is their mean. Rollouts are
 * read from the {@link RolloutFile}s that sampling left in the epoch's scratch directory.
 */
final class GrpoShardGradient {

  private GrpoShardGradient() {}

  static GrpoGradient.Result compute(FlowGrpoAlgorithm grpo, EpochSpec spec, VelocityNetwork network, ParameterSet theta,
      ParameterSet reference, List<TrainingItem> items, String scratch) {
    GrpoGradient gradient = new GrpoGradient(network, grpo.sampler(spec), grpo.clipRange(), grpo.betaKl());
    int n = items.size();
    int dim = network.sampleSize();
    List<String> prompts = new ArrayList<>(n);
    float[] advantages = new float[n];
    List<RolloutFile> rollouts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rollouts.add(RolloutFile.read(scratch, items.get(i).sampleId));
      prompts.add(items.get(i).prompt);
      advantages[i] = (float) items.get(i).signal;
    }
    GrpoGradient.Result total = null;
    for (int k = 0; k < grpo.trainedSteps(); k++) {
      float[] states = new float[n * dim];
      float[] next = new float[n * dim];
      float[] oldLogProbs = new float[n];
      for (int i = 0; i < n; i++) {
        RolloutFile rollout = rollouts.get(i);
        System.arraycopy(rollout.states()[k], 0, states, i * dim, dim);
        System.arraycopy(rollout.states()[k + 1], 0, next, i * dim, dim);
        oldLogProbs[i] = rollout.logProbs()[k];
      }
      GrpoGradient.Result r = gradient.compute(theta, reference, new GrpoItems(k, states, next, oldLogProbs, advantages, prompts));
      total = total == null ? r : total.add(r);
    }
    return total;
  }
}
