package ram.transforms;

import java.util.Map;
import java.util.TreeMap;

import ram.model.Checkpoint;
import ram.model.ParameterSet;

/**
 * Reads and writes checkpoint directories on the run store (any {@link StoreFiles} URI). The state
 * an epoch starts from, and the base behind it, is {@link TunedModel#state}.
 */
public final class CheckpointStore {

  private CheckpointStore() {}

  /** Every file of a checkpoint directory, by name. */
  public static Map<String, byte[]> readFiles(String dir) {
    Map<String, byte[]> files = new TreeMap<>();
    for (String uri : StoreFiles.list(StoreFiles.join(dir, "*"))) {
      String name = StoreFiles.fileName(uri);
      if (!name.contains(".tmp-")) {
        files.put(name, StoreFiles.read(uri));
      }
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(dir + ": no checkpoint files there");
    }
    return files;
  }

  /** Writes each file atomically; the manifest last, so a directory with a manifest is complete. */
  public static void writeFiles(String dir, Map<String, byte[]> files) {
    writeFiles(dir, files, () -> {});
  }

  /** As {@link #writeFiles(String, Map)}, running {@code afterEachFile} after each file but the manifest. */
  static void writeFiles(String dir, Map<String, byte[]> files, Runnable afterEachFile) {
    files.forEach((name, bytes) -> {
      if (!name.equals(Checkpoint.MANIFEST)) {
        StoreFiles.writeAtomically(StoreFiles.join(dir, name), bytes);
        afterEachFile.run();
      }
    });
    StoreFiles.writeAtomically(StoreFiles.join(dir, Checkpoint.MANIFEST), files.get(Checkpoint.MANIFEST));
  }

  /** The parameters of a base (or any) checkpoint. */
  public static ParameterSet readTheta(String dir) {
    return Checkpoint.decodeTheta(readFiles(dir), dir);
  }
}
