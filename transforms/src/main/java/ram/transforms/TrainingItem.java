package ram.transforms;

import java.io.Serializable;

/**
 * One endpoint ready for the update: its clean sample, prompt and learning signal, plus the
 * optimizer step it belongs to. Transient between stages; never persisted.
 */
public final class TrainingItem implements Serializable {

  private static final long serialVersionUID = 1L;

  public final String sampleId;
  public final String prompt;
  public final float[] endpoint;
  public final double signal;
  public final int step;

  public TrainingItem(String sampleId, String prompt, float[] endpoint, double signal, int step) {
    this.sampleId = sampleId;
    this.prompt = prompt;
    this.endpoint = endpoint;
    this.signal = signal;
    this.step = step;
  }

  /** A marker that makes a (step, shard) group exist even when no real item falls into it. */
  public static TrainingItem placeholder(int step) {
    return new TrainingItem(null, null, null, 0, step);
  }

  public boolean isPlaceholder() {
    return sampleId == null;
  }
}
