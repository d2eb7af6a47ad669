package ram.model.torchscript;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;

import ram.model.Devices;
import ram.model.OdeSampler;
import ram.model.ParameterSet;
import ram.model.ParameterTraffic;
import ram.model.SafeTensors;
import ram.model.VelocityNetwork;

/**
 * A user's flow model, a TorchScript module {@code forward(x_t, t, cond) -> v}, as a {@link
 * VelocityNetwork}: the parameters training changes are those whose names match the spec's
 * {@code trainable} expression; every other parameter stays as the module file (or the
 * {@code init_weights} file) has it, on the worker, and never travels.
 *
 * <p>The policy, the frozen reference and the lagged policy are values of the trained parameters
 * only. A forward pass borrows a loaded module ({@link TorchScriptModules}), copies the given values
 * into its trained parameters in place (once per set of values) and runs it. A pass that needs
 * gradients keeps the module for its thread until {@link #gradient} has read them, so that no
 * other pass rebinds it in between.
 */
public final class TorchScriptVelocityNetwork implements VelocityNetwork {

  private static final ThreadLocal<Held> HELD = new ThreadLocal<>();

  private final TorchScriptSpec spec;
  private final Path file;
  private final Pattern trainable;
  private final String architecture;
  private final PromptConditioning conditioning;
  private final ImageDecoder decoder;
  private final ParameterSet initial;
  /** Positions of the trained parameters among the module's parameters. */
  private final int[] trainedIndex;

  /** A module held by a thread between a forward pass that needs gradients and {@link #gradient}. */
  private record Held(TorchScriptModules.Module module, NDList parameters) {}

  /**
   * Loads the spec's modules and checks them: files present, the velocity module's signature on one
   * row, a trainable expression that matches something, initial weights that fit.
   */
  public TorchScriptVelocityNetwork(TorchScriptSpec spec) {
    this.spec = spec;
    this.file = existing(spec.velocity(), "velocity");
    for (String other : new String[] {spec.textEncoder(), spec.promptEmbeddings(), spec.decoder(), spec.initWeights()}) {
      if (other != null) {
        existing(other, "file");
      }
    }
    try {
      this.trainable = Pattern.compile(spec.trainable());
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("trainable: not a regular expression: '" + spec.trainable() + "': " + e.getDescription(), e);
    }
    this.architecture = "torchscript:" + TorchScriptModules.sha256(file).substring(0, 16) + ":" + spec.trainable();
    this.conditioning = PromptConditioning.of(spec);
    TorchScriptModules.Module module = borrow();
    try {
      initial = ((ParameterSet) module.initial).copy();
      List<Integer> index = new ArrayList<>();
      for (int i = 0; i < module.names().size(); i++) {
        if (trainable.matcher(module.names().get(i)).matches()) {
          index.add(i);
        }
      }
      trainedIndex = index.stream().mapToInt(Integer::intValue).toArray();
      if (trainedIndex.length == 0) {
        throw new IllegalArgumentException("trainable: '" + spec.trainable() + "' matches none of the " + module.names().size()
            + " parameters of " + file + " (e.g. " + module.names().subList(0, Math.min(4, module.names().size())) + ")");
      }
    } finally {
      TorchScriptModules.giveBack(module);
    }
    checkSignature();
    this.decoder = spec.decoder() == null ? null : new ImageDecoder(Path.of(spec.decoder()), spec.shape());
  }

  private static Path existing(String name, String key) {
    Path path = Path.of(name);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(key + ": no such file: " + path);
    }
    return path;
  }

  private TorchScriptModules.Module borrow() {
    String variant = spec.trainable() + (spec.initWeights() == null ? "" : "+" + TorchScriptModules.sha256(Path.of(spec.initWeights())));
    return TorchScriptModules.borrow(file, true, variant, this::prepare);
  }

  /** A fresh module: the initial weights in, gradients only where training changes a parameter. */
  private void prepare(TorchScriptModules.Module module) {
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      if (spec.initWeights() != null) {
        ParameterSet layout = new ParameterSet();
        for (int i = 0; i < module.names().size(); i++) {
          NDArray p = module.parameters().get(i);
          layout.put(module.names().get(i), Arrays.stream(p.getShape().getShape()).mapToInt(Math::toIntExact).toArray(),
              new float[Math.toIntExact(p.size())]);
        }
        ParameterSet weights = SafeTensors.readInto(layout, Path.of(spec.initWeights()));
        for (int i = 0; i < module.names().size(); i++) {
          module.parameters().get(i).set(java.nio.FloatBuffer.wrap(weights.get(module.names().get(i))));
        }
      }
      ParameterSet values = new ParameterSet();
      for (int i = 0; i < module.names().size(); i++) {
        String name = module.names().get(i);
        NDArray p = module.parameters().get(i);
        boolean trained = trainable.matcher(name).matches();
        JniUtils.attachGradient(TorchScriptModules.pt(p), trained);
        if (trained) {
          values.put(name, Arrays.stream(p.getShape().getShape()).mapToInt(Math::toIntExact).toArray(), p.toFloatArray());
        }
      }
      module.initial = values;
    } finally {
      JniUtils.setGradMode(grad);
    }
  }

  /** One row through the module: it must take (x_t, t, cond) and return an array of x_t's shape. */
  private void checkSignature() {
    long[] shape = OdeSampler.batchShape(1, spec.shape());
    try (NDManager manager = Devices.newManager()) {
      NDList parameters = initial.toNDList(manager);
      NDArray v;
      try {
        v = velocity(parameters, manager.zeros(new Shape(shape)), manager.create(new float[] {0.5f}), List.of(""));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(file + ": forward(x_t " + Arrays.toString(shape) + ", t [1], cond "
            + Arrays.toString(conditionShape()) + ") failed: " + TorchScriptModules.firstLine(e), e);
      }
      if (!Arrays.equals(v.getShape().getShape(), shape)) {
        throw new IllegalArgumentException(file + ": forward(x_t, t, cond) returned " + v.getShape() + " for x_t "
            + Arrays.toString(shape) + "; the velocity must have x_t's shape (is sample_shape " + spec.sampleShape() + " right?)");
      }
    }
  }

  private long[] conditionShape() {
    long[] row = conditioning.rowShape();
    long[] shape = new long[row.length + 1];
    shape[0] = 1;
    System.arraycopy(row, 0, shape, 1, row.length);
    return shape;
  }

  @Override
  public String architecture() {
    return architecture;
  }

  @Override
  public int[] sampleShape() {
    return spec.shape();
  }

  @Override
  public boolean conditional() {
    return conditioning.conditional();
  }

  /** The module's own values of the trained parameters (the seed plays no part: the weights are the file's). */
  @Override
  public ParameterSet initialize(long seed) {
    return initial.copy();
  }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts) {
    return velocity(parameters, x, t, prompts, null);
  }

  @Override
  public Object encodePrompts(NDList parameters, List<String> prompts) {
    return null; // the conditioning keeps each prompt's encoding itself
  }

  @Override
  public NDArray velocity(NDList parameters, NDArray x, NDArray t, List<String> prompts, Object encoded) {
    boolean needsGradient = !parameters.isEmpty() && parameters.get(0).hasGradient();
    Held held = HELD.get();
    TorchScriptModules.Module module;
    boolean keep;
    if (held != null && held.parameters() == parameters) {
      module = held.module();
      keep = true;
    } else {
      module = borrow();
      bind(module, parameters);
      keep = needsGradient;
      if (needsGradient) {
        for (int i : trainedIndex) {
          JniUtils.zeroGrad(TorchScriptModules.pt(module.parameters().get(i)));
        }
        HELD.set(new Held(module, parameters));
      }
    }
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(needsGradient);
    NDManager manager = x.getManager();
    NDArray time = t.getDataType() == DataType.FLOAT32 ? t : t.toType(DataType.FLOAT32, false);
    try (NDArray cond = conditioning.encode(manager, prompts)) {
      // isTrain = false would run the module without autograd whatever the grad mode
      return IValueUtils.forward(module.block(), new NDList(x, time, cond), needsGradient).singletonOrThrow();
    } finally {
      JniUtils.setGradMode(grad);
      if (!keep) {
        TorchScriptModules.giveBack(module);
      }
    }
  }

  /** Copies the caller's values of the trained parameters into the module, unless it holds them already. */
  private void bind(TorchScriptModules.Module module, NDList parameters) {
    if (module.boundTo == parameters) {
      return;
    }
    if (parameters.size() != trainedIndex.length) {
      throw new IllegalArgumentException("expected " + trainedIndex.length + " trained parameters of " + file + ", got " + parameters.size());
    }
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    long floats = 0;
    try {
      for (int i = 0; i < trainedIndex.length; i++) {
        module.parameters().get(trainedIndex[i]).set(parameters.get(i).toByteBuffer());
        floats += parameters.get(i).size();
      }
    } finally {
      JniUtils.setGradMode(grad);
    }
    ParameterTraffic.record(ParameterTraffic.Kind.BIND, floats);
    module.boundTo = parameters;
  }

  /** The gradients a backward pass left in the module this thread holds for {@code parameters}; the module goes back to the pool. */
  @Override
  public ParameterSet gradient(ParameterSet layout, NDList parameters) {
    Held held = HELD.get();
    if (held == null || held.parameters() != parameters) {
      throw new IllegalStateException("no forward pass with gradients of these parameters on this thread");
    }
    HELD.remove();
    try {
      ParameterTraffic.record(ParameterTraffic.Kind.DOWNLOAD, layout.size());
      ParameterSet g = new ParameterSet();
      List<String> names = layout.names(); // a copy per call: once, not once per tensor
      for (int i = 0; i < trainedIndex.length; i++) {
        String name = names.get(i);
        NDArray p = held.module().parameters().get(trainedIndex[i]);
        float[] values;
        try (NDArray grad = p.getGradient()) {
          values = grad.toFloatArray();
        } catch (RuntimeException e) { // a parameter the pass did not reach has no gradient
          values = new float[Math.toIntExact(p.size())];
        }
        g.put(name, layout.shape(name), values);
      }
      return g;
    } finally {
      TorchScriptModules.giveBack(held.module());
    }
  }

  @Override
  public int[] imageShape() {
    return decoder == null ? sampleShape() : decoder.imageShape();
  }

  @Override
  public boolean decodes() {
    return decoder != null;
  }

  @Override
  public float[] images(float[] endpoints, int count) {
    return decoder == null ? endpoints : decoder.decode(endpoints, count);
  }

  /** The spec this network was built from. */
  public TorchScriptSpec spec() {
    return spec;
  }
}
