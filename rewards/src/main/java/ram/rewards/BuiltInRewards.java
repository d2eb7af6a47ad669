package ram.rewards;

import ram.rewards.geneval.GenEvalReward;
import ram.rewards.ocr.OcrReward;

/**
 * The providers of the built-in rewards that take no settings, registered with
 * {@link java.util.ServiceLoader} in this module's {@code META-INF/services} file exactly as a
 * user's reward is (the {@code onnx} and {@code http} rewards have their own, with settings).
 */
public final class BuiltInRewards {

  private BuiltInRewards() {}

  /** {@value ToyRingReward#NAME}: the 2-D ring benchmark's bump. */
  public static final class Toy2d implements RewardProvider {
    @Override
    public String name() {
      return ToyRingReward.NAME;
    }

    @Override
    public Reward create(RewardSettings settings) {
      return new ToyRingReward();
    }
  }

  /** {@value GenEvalReward#NAME}: GenEval's partial credit in the shapes world. */
  public static final class GenEval implements RewardProvider {
    @Override
    public String name() {
      return GenEvalReward.NAME;
    }

    @Override
    public Reward create(RewardSettings settings) {
      return new GenEvalReward(false);
    }
  }

  /** {@value GenEvalReward#STRICT_NAME}: the same judge's strict accuracy. */
  public static final class GenEvalStrict implements RewardProvider {
    @Override
    public String name() {
      return GenEvalReward.STRICT_NAME;
    }

    @Override
    public Reward create(RewardSettings settings) {
      return new GenEvalReward(true);
    }
  }

  /** {@value OcrReward#NAME}: PP-OCRv4 reads the text the prompt quotes. */
  public static final class Ocr implements RewardProvider {
    @Override
    public String name() {
      return OcrReward.NAME;
    }

    @Override
    public Reward create(RewardSettings settings) {
      return new OcrReward();
    }
  }

  /** {@value CompressibilityReward#NAME}: minus the JPEG size in kB. */
  public static final class Compressibility implements RewardProvider {
    @Override
    public String name() {
      return CompressibilityReward.NAME;
    }

    @Override
    public Reward create(RewardSettings settings) {
      return new CompressibilityReward();
    }
  }
}
