package ram.runners.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import ram.model.Noise;
import ram.model.OdeSampler;
import ram.model.ParameterSet;
import ram.model.VelocityNetwork;
import ram.transforms.TunedModel;

/**
 * Loading a checkpoint together with its network (the architecture its manifest names, see
 * {@link TunedModel#readPolicy}), and
 * sampling lists of prompts from it in batches with per-image seeded noise, so that image i of a
 * request is the same whatever the batch size.
 */
public final class ImageModels {

  /** A network and its parameters, read from {@code dir}. */
  public record Loaded(VelocityNetwork network, ParameterSet theta, Path dir) {}

  private ImageModels() {}

  /** Reads and verifies a base or training checkpoint directory (LoRA adapters over the base their manifest names). */
  public static Loaded load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + ": no such checkpoint directory");
    }
    TunedModel.Policy policy = TunedModel.readPolicy(dir.toString());
    return new Loaded(policy.network(), policy.theta(), dir);
  }

  /** Samples one image per prompt (a latent model's decoded image, {@link VelocityNetwork#images}); image i starts from {@code Noise.gaussian(Noise.seed(seed, i))}. */
  public static List<float[]> sample(Loaded model, OdeSampler sampler, List<String> prompts, long seed, int batch) {
    return sample(model.network(), model.theta(), sampler, prompts, seed, batch);
  }

  /** The same for any network and parameters (a training run's evaluation uses it too). */
  public static List<float[]> sample(VelocityNetwork network, ParameterSet theta, OdeSampler sampler, List<String> prompts,
      long seed, int batch) {
    int dim = network.sampleSize();
    List<float[]> images = new ArrayList<>(prompts.size());
    for (int start = 0; start < prompts.size(); start += batch) {
      int n = Math.min(batch, prompts.size() - start);
      float[] noise = new float[n * dim];
      for (int i = 0; i < n; i++) {
        System.arraycopy(Noise.gaussian(Noise.seed(seed, start + i), dim), 0, noise, i * dim, dim);
      }
      float[] x = network.images(sampler.sample(network, theta, noise, prompts.subList(start, start + n)), n);
      int size = x.length / n;
      for (int i = 0; i < n; i++) {
        images.add(Arrays.copyOfRange(x, i * size, (i + 1) * size));
      }
    }
    return images;
  }
}
