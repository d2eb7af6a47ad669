package ram.rewards.onnx;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

import ram.rewards.Reward;
import ram.rewards.RewardInput;
import ram.rewards.RewardProvider;
import ram.rewards.RewardResult;
import ram.rewards.RewardSetting;
import ram.rewards.RewardSettings;

/**
 * The {@code onnx} reward: a user's ONNX model scores each image. The image is resized and
 * normalised as the config says ({@link ImagePreprocessing}), optionally given with its prompt's
 * tokens, and the score is read from the named (or numbered) output. The model's file, inputs and
 * output are checked when the reward is created, so a mismatch stops a run before it starts. A
 * sample that is not an image, or holds a non-finite value, fails alone; a model that fails to run
 * fails its batch's samples, each with the model's message.
 */
public final class OnnxReward implements Reward {

  public static final String NAME = "onnx";

  private final OnnxScorer scorer;
  private final ImagePreprocessing preprocessing;
  private final int size;
  private final boolean withText;
  private final String version;

  /** The reward of {@code settings}' {@code onnx_*} keys (defaults filled in). */
  public OnnxReward(RewardSettings settings) {
    Path model = settings.path("onnx_model");
    String input = settings.string("onnx_input");
    size = settings.integer("onnx_size");
    double[] mean = settings.numbers("onnx_mean");
    double[] std = settings.numbers("onnx_std");
    String output = settings.string("onnx_output");
    withText = input.equals("image+text");
    if (!withText && !input.equals("image")) {
      throw new IllegalArgumentException("onnx_input: expected image or image+text, got '" + input + "'");
    }
    try {
      preprocessing = new ImagePreprocessing(size, mean, std);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("onnx_mean / onnx_std: " + e.getMessage(), e);
    }
    scorer = new OnnxScorer(model, withText, size, output);
    version = String.format(Locale.ROOT, "1;model-sha256=%s;input=%s;size=%d;mean=%s;std=%s;output=%s", sha256(model), input, size,
        join(mean), join(std), output);
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The rule's version, the model file's hash and every preprocessing setting: what decides a score. */
  @Override
  public String version() {
    return version;
  }

  @Override
  public List<RewardResult> score(List<RewardInput> batch) {
    RewardResult[] results = new RewardResult[batch.size()];
    float[] images = new float[batch.size() * preprocessing.length()];
    List<Integer> valid = new ArrayList<>();
    List<String> prompts = new ArrayList<>();
    for (int i = 0; i < batch.size(); i++) {
      RewardInput in = batch.get(i);
      try {
        preprocessing.apply(in.data(), in.shape(), images, valid.size() * preprocessing.length());
        valid.add(i);
        prompts.add(in.prompt());
      } catch (IllegalArgumentException e) {
        results[i] = RewardResult.failed(NAME + ": sample " + in.sampleId() + ": " + e.getMessage());
      }
    }
    if (!valid.isEmpty()) {
      try {
        double[] scores = scorer.score(images, valid.size(), preprocessing.length(), size, prompts);
        for (int k = 0; k < valid.size(); k++) {
          results[valid.get(k)] = RewardResult.of(scores[k]);
        }
      } catch (OrtException | RuntimeException e) {
        for (int i : valid) {
          results[i] = RewardResult.failed(NAME + ": the model failed on sample " + batch.get(i).sampleId() + "'s batch: "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
      }
    }
    return List.of(results);
  }

  @Override
  public void close() {
    scorer.close();
  }

  private static String join(double[] values) {
    List<String> parts = new ArrayList<>();
    for (double v : values) {
      parts.add(Double.toString(v));
    }
    return String.join(",", parts);
  }

  /** The first 16 hex digits of the file's SHA-256. */
  private static String sha256(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (IOException e) {
      throw new IllegalArgumentException("onnx_model " + file + ": cannot read it: " + e.getMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Registers {@value #NAME} and its settings. */
  public static final class Provider implements RewardProvider {

    @Override
    public String name() {
      return NAME;
    }

    @Override
    public List<RewardSetting> settings() {
      return List.of(
          RewardSetting.of("onnx_model", RewardSetting.Kind.PATH, null, "rewards: onnx: the ONNX model that scores an image "
              + "(docs/your-reward.md)"),
          RewardSetting.choice("onnx_input", List.of("image", "image+text"), "image", "rewards: onnx: what the model takes: the "
              + "image [B, 3, S, S] float, or also the prompt as tokens [B, L] int64 (UTF-8 byte + 1, 0 pads)"),
          RewardSetting.count("onnx_size", RewardSetting.Kind.POSITIVE_INT, 8192, 224, "rewards: onnx: S, the image is resized "
              + "(bilinear) to S x S"),
          RewardSetting.of("onnx_mean", RewardSetting.Kind.NUMBER_LIST, List.of(0.0, 0.0, 0.0), "rewards: onnx: per-channel mean: "
              + "the model reads (pixel in [0, 1] - mean) / std"),
          RewardSetting.of("onnx_std", RewardSetting.Kind.NUMBER_LIST, List.of(1.0, 1.0, 1.0), "rewards: onnx: per-channel "
              + "standard deviation"),
          RewardSetting.of("onnx_output", RewardSetting.Kind.NAME_OR_INDEX, "0", "rewards: onnx: the output holding one score per "
              + "image ([B] or [B, 1]): its name or its index"));
    }

    @Override
    public Reward create(RewardSettings settings) {
      if (!settings.has("onnx_model")) {
        throw new IllegalArgumentException("needs onnx_model, the ONNX file that scores an image (docs/your-reward.md)");
      }
      return new OnnxReward(settings);
    }
  }
}
