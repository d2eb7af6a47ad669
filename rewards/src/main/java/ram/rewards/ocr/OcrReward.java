package ram.rewards.ocr;

import java.util.ArrayList;
import java.util.List;
import ram.rewards.Reward;
import ram.rewards.RewardInput;
import ram.rewards.RewardResult;
import ram.rewards.image.ImageTensors;

/**
 * The OCR reward (Flow-GRPO's text-rendering task): PP-OCRv4 reads the image, and
 * {@link OcrFormula} compares what it read with the text quoted in the prompt.
 *
 * <p>One instance holds one ONNX Runtime session (created here, once, with one thread); create
 * one per worker and close it. A prompt without quotes, a malformed image or a non-finite pixel
 * fails that sample only.
 */
public final class OcrReward implements Reward {

  public static final String NAME = "ocr";
  /** Version 1: PP-OCRv4 recogniser on the ink crop, greedy CTC, Flow-GRPO's formula. */
  public static final String VERSION = "1";

  private final PpOcrRecognizer recognizer = new PpOcrRecognizer();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String version() {
    return VERSION;
  }

  @Override
  public List<RewardResult> score(List<RewardInput> batch) {
    List<RewardResult> results = new ArrayList<>(batch.size());
    for (RewardInput in : batch) {
      try {
        String target = OcrFormula.targetText(in.prompt());
        String recognised = recognizer.recognise(ImageTensors.toImage(in.data(), in.shape()));
        results.add(RewardResult.of(OcrFormula.reward(target, recognised)));
      } catch (RuntimeException e) {
        results.add(RewardResult.failed("ocr: sample " + in.sampleId() + ": " + e.getMessage()));
      }
    }
    return results;
  }

  /** What the recogniser reads in an image tensor (for evaluation reports and debugging). */
  public String read(float[] data, int[] shape) {
    return recognizer.recognise(ImageTensors.toImage(data, shape));
  }

  @Override
  public void close() {
    recognizer.close();
  }
}
