package ram.rewards.ocr;

import ram.rewards.PerSampleReward;
import ram.rewards.RewardInput;
import ram.rewards.image.ImageTensors;

/**
 * The OCR reward (Flow-GRPO's text-rendering task): PP-OCRv4 reads the image, and
 * {@link OcrFormula} compares what it read with the text quoted in the prompt.
 *
 * <p>One instance holds one ONNX Runtime {@code OrtSession} (created here, once, with one thread); create
 * one per worker and close it. A prompt without quotes, a malformed image or a non-finite pixel
 * fails that sample only.
 */
public final class OcrReward extends PerSampleReward {

  public static final String NAME = "ocr";
  /** Version 1: PP-OCRv4 recogniser on the ink crop, greedy CTC, Flow-GRPO's formula. */
  public static final String VERSION = "1";

  private final PpOcrRecognizer recognizer = new PpOcrRecognizer();

  public OcrReward() {
    super(NAME, VERSION);
  }

  @Override
  public void checkPrompt(String promptJson, String where) {
    OcrPrompt.parse(promptJson, where);
  }

  @Override
  protected double scoreOne(RewardInput in) {
    String target = OcrFormula.targetText(in.prompt());
    return OcrFormula.reward(target, recognizer.recognise(ImageTensors.toImage(in.data(), in.shape())));
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
