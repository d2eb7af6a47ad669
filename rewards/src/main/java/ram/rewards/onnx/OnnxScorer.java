package ram.rewards.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX model that scores images, opened and checked against what the {@code onnx} reward will
 * feed it: an image input {@code [batch, 3, size, size]} float (any dimension may be dynamic),
 * with {@code image+text} a second input {@code [batch, L]} int64 of prompt tokens, and a score
 * output {@code [batch]} or {@code [batch, 1]}. Every mismatch is refused when the model is
 * opened, in one line naming the file. One {@code OrtSession} with one intra-op thread (run
 * workers in parallel rather than giving ONNX Runtime more threads, as for the OCR reward).
 */
final class OnnxScorer implements AutoCloseable {

  private final Path file;
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final OrtSession engine;
  private final String imageInput;
  private final String textInput;
  private final String output;
  /** the model's fixed batch size, or -1 where the batch dimension is dynamic */
  private final long batch;
  /** the fixed token length of the text input, or -1: the batch's longest prompt */
  private final long textLength;

  OnnxScorer(Path file, boolean withText, int size, String outputNameOrIndex) {
    this.file = file;
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("onnx_model " + file + ": no such file");
    }
    try {
      OrtSession.SessionOptions options = new OrtSession.SessionOptions();
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      engine = env.createSession(file.toString(), options);
    } catch (OrtException e) {
      throw new IllegalArgumentException("onnx_model " + file + ": ONNX Runtime cannot load it: " + firstLine(e.getMessage()), e);
    }
    try {
      Map<String, NodeInfo> inputs = engine.getInputInfo();
      Map<String, NodeInfo> outputs = engine.getOutputInfo();
      String expected = withText ? "two inputs (image [batch, 3, " + size + ", " + size + "] float, tokens [batch, L] int64)"
          : "one input (image [batch, 3, " + size + ", " + size + "] float)";
      if (inputs.size() != (withText ? 2 : 1)) {
        throw refuse("has " + inputs.size() + " input(s) " + describe(inputs) + "; onnx_input: " + (withText ? "image+text" : "image")
            + " expects " + expected);
      }
      List<String> names = new ArrayList<>(inputs.keySet());
      imageInput = names.get(0);
      TensorInfo image = tensor(inputs.get(imageInput), "input");
      long[] shape = image.getShape();
      if (shape.length != 4) {
        throw refuse("input '" + imageInput + "' has rank " + shape.length + " " + Arrays.toString(shape) + "; expected rank 4: "
            + "[batch, 3, " + size + ", " + size + "]");
      }
      if (image.type != OnnxJavaType.FLOAT) {
        throw refuse("input '" + imageInput + "' is " + image.type + "; expected float");
      }
      if (!fits(shape[1], 3) || !fits(shape[2], size) || !fits(shape[3], size)) {
        throw refuse("input '" + imageInput + "' is " + Arrays.toString(shape) + "; with onnx_size " + size + " it must take [batch, 3, "
            + size + ", " + size + "] (-1: any)");
      }
      long textBatch = shape[0];
      if (withText) {
        textInput = names.get(1);
        TensorInfo text = tensor(inputs.get(textInput), "input");
        long[] t = text.getShape();
        if (t.length != 2 || text.type != OnnxJavaType.INT64) {
          throw refuse("input '" + textInput + "' is " + text.type + " " + Arrays.toString(t) + "; expected the prompt's tokens "
              + "[batch, L] int64");
        }
        textLength = t[1];
        textBatch = t[0];
      } else {
        textInput = null;
        textLength = -1;
      }
      batch = shape[0] > 0 ? shape[0] : textBatch;
      if (batch > 1) {
        throw refuse("takes a fixed batch of " + batch + "; export it with a dynamic batch dimension (or a batch of 1)");
      }
      output = outputName(outputs, outputNameOrIndex);
      TensorInfo out = tensor(outputs.get(output), "output");
      long[] o = out.getShape();
      if (!(o.length == 1 || o.length == 2 && o[1] == 1) || out.type != OnnxJavaType.FLOAT && out.type != OnnxJavaType.DOUBLE) {
        throw refuse("output '" + output + "' is " + out.type + " " + Arrays.toString(o) + "; expected one score per image: "
            + "[batch] or [batch, 1] float");
      }
    } catch (OrtException e) {
      close();
      throw new IllegalArgumentException("onnx_model " + file + ": cannot read its inputs and outputs: " + firstLine(e.getMessage()), e);
    } catch (IllegalArgumentException e) {
      close();
      throw e;
    }
  }

  /** The name of the output that {@code nameOrIndex} means: a name the model has, or an index into its outputs. */
  private String outputName(Map<String, NodeInfo> outputs, String nameOrIndex) {
    List<String> names = new ArrayList<>(outputs.keySet());
    if (outputs.containsKey(nameOrIndex)) {
      return nameOrIndex;
    }
    if (nameOrIndex.matches("\\d{1,9}")) {
      int index = Integer.parseInt(nameOrIndex);
      if (index < names.size()) {
        return names.get(index);
      }
      throw refuse("has " + names.size() + " output(s) " + describe(outputs) + "; onnx_output " + index + " is out of range");
    }
    throw refuse("has no output '" + nameOrIndex + "'; its outputs: " + describe(outputs));
  }

  private static boolean fits(long dim, long wanted) {
    return dim < 0 || dim == wanted;
  }

  private TensorInfo tensor(NodeInfo node, String what) {
    if (!(node.getInfo() instanceof TensorInfo t)) {
      throw refuse(what + " '" + node.getName() + "' is not a tensor (" + node.getInfo() + ")");
    }
    return t;
  }

  private static String describe(Map<String, NodeInfo> nodes) {
    List<String> parts = new ArrayList<>();
    nodes.forEach((name, node) -> parts.add(node.getInfo() instanceof TensorInfo t
        ? name + " " + Arrays.toString(t.getShape()) + " " + t.type.name().toLowerCase() : name + " (not a tensor)"));
    return "(" + String.join(", ", parts) + ")";
  }

  private IllegalArgumentException refuse(String what) {
    return new IllegalArgumentException("onnx_model " + file + " " + what);
  }

  private static String firstLine(String message) {
    String m = String.valueOf(message).strip();
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }

  /**
   * The scores of {@code count} preprocessed images (channel-major, {@code perImage} values each)
   * and, with text, their prompts; one model call for a dynamic batch, one per image for a batch of 1.
   */
  double[] score(float[] images, int count, int perImage, int size, List<String> prompts) throws OrtException {
    double[] scores = new double[count];
    int step = batch == 1 ? 1 : count;
    for (int start = 0; start < count; start += step) {
      int n = Math.min(step, count - start);
      Map<String, OnnxTensor> feed = new LinkedHashMap<>();
      try {
        feed.put(imageInput, OnnxTensor.createTensor(env, FloatBuffer.wrap(images, start * perImage, n * perImage).slice(),
            new long[] {n, 3, size, size}));
        if (textInput != null) {
          int length = (int) textLength;
          if (length <= 0) {
            length = 1;
            for (int i = start; i < start + n; i++) {
              length = Math.max(length, PromptTokens.of(prompts.get(i), Integer.MAX_VALUE).length);
            }
          }
          long[] tokens = new long[n * length];
          for (int i = 0; i < n; i++) {
            System.arraycopy(PromptTokens.of(prompts.get(start + i), length), 0, tokens, i * length, length);
          }
          feed.put(textInput, OnnxTensor.createTensor(env, LongBuffer.wrap(tokens), new long[] {n, length}));
        }
        try (OrtSession.Result result = engine.run(feed, Set.of(output))) {
          OnnxTensor out = (OnnxTensor) result.get(output).orElseThrow();
          long[] shape = out.getInfo().getShape();
          if (shape[0] != n) {
            throw new IllegalStateException("output '" + output + "' has shape " + Arrays.toString(shape) + " for a batch of " + n);
          }
          if (out.getInfo().type == OnnxJavaType.DOUBLE) {
            out.getDoubleBuffer().get(scores, start, n);
          } else {
            FloatBuffer values = out.getFloatBuffer();
            for (int i = 0; i < n; i++) {
              scores[start + i] = values.get(i);
            }
          }
        }
      } finally {
        feed.values().forEach(OnnxTensor::close);
      }
    }
    return scores;
  }

  @Override
  public void close() {
    try {
      if (engine != null) {
        engine.close();
      }
    } catch (OrtException e) {
      // closing frees native memory; nothing left to do when it fails
    }
  }
}
