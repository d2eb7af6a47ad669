package ram.model.torchscript;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;

import ram.model.Devices;

/**
 * The TorchScript modules a worker JVM has loaded, kept for the JVM's life and shared by every
 * network, stage and epoch that names the same file: a module is loaded once per worker thread
 * that uses it at the same time, keyed by the SHA-256 of its file, and afterwards only borrowed
 * and returned. This is what keeps a large frozen base on the worker's device instead of moving
 * it between stages: only the trained parameters travel, and they are copied into a borrowed
 * module in place.
 */
public final class TorchScriptModules {

  private static final Map<String, Deque<Module>> IDLE = new ConcurrentHashMap<>();
  private static final Map<String, String> SHA256 = new ConcurrentHashMap<>();
  private static final AtomicLong LOADS = new AtomicLong();

  private TorchScriptModules() {}

  /** One loaded module: its parameters by name, in the module's order (aliases of the module's own tensors). */
  public static final class Module {
    final String key;
    final PtSymbolBlock block;
    final PtNDManager manager;
    final List<String> names = new ArrayList<>();
    final NDList parameters;
    /** The caller's arrays whose values the module's trained parameters hold now, or null. */
    Object boundTo;
    /** What the module's owner keeps of its state right after loading (the initial trained values), or null. */
    Object initial;

    Module(String key, PtSymbolBlock block, PtNDManager manager) {
      this.key = key;
      this.block = block;
      this.manager = manager;
      this.parameters = JniUtils.moduleGetParams(block, manager);
      for (NDArray p : parameters) {
        names.add(p.getName());
      }
    }

    /** Parameter names, in the module's order. */
    public List<String> names() {
      return names;
    }

    /** The module's parameter tensors, in {@link #names} order. */
    public NDList parameters() {
      return parameters;
    }

    /** The module itself. */
    public PtSymbolBlock block() {
      return block;
    }
  }

  /**
   * A loaded module of {@code file}, from the pool or freshly loaded and then prepared by {@code
   * prepare}; give it back with {@link #giveBack}. Modules of one file prepared differently (other
   * trained parameters, other initial weights) are told apart by {@code variant}.
   *
   * @param trainable whether parameters may require gradients (otherwise the module is frozen)
   */
  public static Module borrow(Path file, boolean trainable, String variant, Consumer<Module> prepare) {
    String key = sha256(file) + (trainable ? ":train:" : ":frozen:") + variant + "@" + Devices.current();
    Deque<Module> idle = IDLE.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (idle) {
      if (!idle.isEmpty()) {
        return idle.pop();
      }
    }
    Module module = load(key, file, trainable);
    prepare.accept(module);
    return module;
  }

  /** Returns a module borrowed with {@link #borrow} to the pool. */
  public static void giveBack(Module module) {
    Deque<Module> idle = IDLE.get(module.key);
    synchronized (idle) {
      idle.push(module);
    }
  }

  /** How many modules this JVM has loaded from files so far (what the pool saves is the difference to the borrows). */
  public static long loads() {
    return LOADS.get();
  }

  private static Module load(String key, Path file, boolean trainable) {
    PtNDManager manager = (PtNDManager) Devices.newManager();
    PtSymbolBlock block;
    try {
      block = JniUtils.loadModule(manager, file, true, new String[0], new String[0], trainable);
    } catch (RuntimeException e) {
      manager.close();
      throw new IllegalArgumentException(file + ": not a TorchScript module PyTorch can load: " + firstLine(e), e);
    }
    JniUtils.enableInferenceMode(block);
    LOADS.incrementAndGet();
    return new Module(key, block, manager);
  }

  /** The SHA-256 of a file's bytes, hex; cached per path for the JVM's life. */
  public static String sha256(Path file) {
    return SHA256.computeIfAbsent(file.toAbsolutePath().normalize().toString(), k -> {
      try (InputStream in = Files.newInputStream(file)) {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
          digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** The first line of an engine error, which is the part that names the problem. */
  static String firstLine(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Whether {@code array} is a PyTorch array (the only kind a TorchScript module takes). */
  static PtNDArray pt(NDArray array) {
    return (PtNDArray) array;
  }
}
