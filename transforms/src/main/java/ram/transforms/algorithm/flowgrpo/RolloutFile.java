package ram.transforms.algorithm.flowgrpo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import ram.transforms.StoreFiles;

/**
 * The trained part of one Flow-GRPO rollout as the update reads it: states x_0 .. x_n and the
 * sampling policy's log-probabilities of steps 0 .. n-1. Rollouts travel from sampling to the
 * gradient stage as files in the epoch's scratch directory, named by sample id, like states and
 * gradients: a rollout is T + 1 images (for a large model, megabytes), too big for a shuffle record.
 */
public record RolloutFile(float[][] states, float[] logProbs) {

  /** Where sample {@code sampleId}'s rollout lies in the epoch's scratch directory. */
  public static String location(String scratch, String sampleId) {
    return StoreFiles.join(StoreFiles.join(scratch, "rollouts"), sampleId + ".bin");
  }

  public byte[] toBytes() {
    int n = logProbs.length;
    int dim = states[0].length;
    ByteBuffer b = ByteBuffer.allocate(8 + 4 * (n + (n + 1) * dim)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(n).putInt(dim);
    for (float p : logProbs) {
      b.putFloat(p);
    }
    for (float[] s : states) {
      b.asFloatBuffer().put(s);
      b.position(b.position() + 4 * dim);
    }
    return b.array();
  }

  public static RolloutFile fromBytes(byte[] bytes, String where) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int n = b.getInt();
    int dim = b.getInt();
    if (n < 0 || dim <= 0 || bytes.length != 8 + 4L * (n + (long) (n + 1) * dim)) {
      throw new IllegalArgumentException(where + ": not a rollout file (" + bytes.length + " bytes)");
    }
    float[] logProbs = new float[n];
    for (int k = 0; k < n; k++) {
      logProbs[k] = b.getFloat();
    }
    float[][] states = new float[n + 1][dim];
    for (float[] s : states) {
      b.asFloatBuffer().get(s);
      b.position(b.position() + 4 * dim);
    }
    return new RolloutFile(states, logProbs);
  }

  /** Reads the rollout of {@code sampleId}. */
  public static RolloutFile read(String scratch, String sampleId) {
    String file = location(scratch, sampleId);
    return fromBytes(StoreFiles.read(file), file);
  }
}
