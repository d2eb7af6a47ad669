package ram.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;

/**
 * A checkpoint as a set of named files plus {@code manifest.json}, which records the architecture,
 * the epoch, the parent checkpoint, free-form provenance and the SHA-256 of every file. Decoding
 * verifies every hash, so a tampered or truncated checkpoint is refused, never half-loaded.
 *
 * <p>Two kinds: a <em>base</em> checkpoint holds only {@code theta.params} (a pretrained model);
 * a <em>training</em> checkpoint holds theta, the EMA and the optimizer's moments.
 */
public final class Checkpoint {

  public static final String MANIFEST = "manifest.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  /** The file of a checkpoint's parameters theta (a base's weights, or a training state's policy). */
  public static final String THETA = "theta.params";
  private static final String EMA = "ema.params";
  private static final String ADAM_M = "adam_m.params";
  private static final String ADAM_V = "adam_v.params";

  private Checkpoint() {}

  /** Files of a base checkpoint: parameters and a manifest with provenance. */
  public static Map<String, byte[]> encodeBase(ParameterSet theta, String architecture, Map<String, Object> provenance) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(THETA, theta.toBytes());
    JsonObject manifest = new JsonObject();
    manifest.addProperty("kind", "base");
    manifest.addProperty("architecture", architecture);
    manifest.add("provenance", GSON.toJsonTree(new TreeMap<>(provenance)));
    return withManifest(files, manifest);
  }

  /** Files of a training checkpoint after {@code state.epoch()}. */
  public static Map<String, byte[]> encodeTraining(TrainingState state, String architecture, String parent) {
    return encodeTraining(state, architecture, parent, Map.of());
  }

  /** The same, with {@code extra} entries in the manifest (how the run fine-tunes, for one). */
  public static Map<String, byte[]> encodeTraining(TrainingState state, String architecture, String parent,
      Map<String, Object> extra) {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put(THETA, state.theta().toBytes());
    files.put(EMA, state.ema().toBytes());
    files.put(ADAM_M, state.optimizer().firstMoment().toBytes());
    files.put(ADAM_V, state.optimizer().secondMoment().toBytes());
    JsonObject manifest = new JsonObject();
    manifest.addProperty("kind", "training");
    manifest.addProperty("architecture", architecture);
    manifest.addProperty("epoch", state.epoch());
    manifest.addProperty("optimizer_step", state.optimizer().step());
    manifest.addProperty("parent", parent);
    new TreeMap<>(extra).forEach((key, value) -> manifest.add(key, GSON.toJsonTree(value)));
    return withManifest(files, manifest);
  }

  private static Map<String, byte[]> withManifest(Map<String, byte[]> files, JsonObject manifest) {
    JsonObject hashes = new JsonObject();
    files.forEach((name, bytes) -> hashes.addProperty(name, sha256(bytes)));
    manifest.add("sha256", hashes);
    files.put(MANIFEST, GSON.toJson(manifest).getBytes(StandardCharsets.UTF_8));
    return files;
  }

  /** The verified manifest of a checkpoint's files; {@code where} names it in errors. */
  public static JsonObject verify(Map<String, byte[]> files, String where) {
    JsonObject manifest = manifest(files, where);
    if (!manifest.has("sha256")) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": missing the sha256 table");
    }
    for (Map.Entry<String, com.google.gson.JsonElement> e : manifest.getAsJsonObject("sha256").entrySet()) {
      byte[] bytes = files.get(e.getKey());
      if (bytes == null) {
        throw new IllegalArgumentException(where + ": file " + e.getKey() + " listed in the manifest is missing");
      }
      if (!sha256(bytes).equals(e.getValue().getAsString())) {
        throw new IllegalArgumentException(where + "/" + e.getKey() + ": SHA-256 does not match the manifest (corrupt or tampered)");
      }
    }
    return manifest;
  }

  /** The manifest of a checkpoint's files, parsed but not checked against the files (see {@link #verify}). */
  public static JsonObject manifest(Map<String, byte[]> files, String where) {
    byte[] raw = files.get(MANIFEST);
    if (raw == null) {
      throw new IllegalArgumentException(where + ": no " + MANIFEST + " (not a checkpoint, or an incomplete one)");
    }
    JsonObject manifest;
    try {
      manifest = GSON.fromJson(new String(raw, StandardCharsets.UTF_8), JsonObject.class);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": not valid JSON: " + e.getMessage(), e);
    }
    if (manifest == null) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": missing the sha256 table");
    }
    return manifest;
  }

  /** The parameters theta of any checkpoint (base or training), verified. */
  public static ParameterSet decodeTheta(Map<String, byte[]> files, String where) {
    verify(files, where);
    return ParameterSet.fromBytes(files.get(THETA));
  }

  /** The training state of a training checkpoint, verified. */
  public static TrainingState decodeTraining(Map<String, byte[]> files, String where) {
    JsonObject manifest = verify(files, where);
    if (!"training".equals(manifest.get("kind").getAsString())) {
      throw new IllegalArgumentException(where + ": a " + manifest.get("kind").getAsString() + " checkpoint, expected a training checkpoint");
    }
    ParameterSet theta = ParameterSet.fromBytes(files.get(THETA));
    ParameterSet ema = ParameterSet.fromBytes(files.get(EMA));
    Optimizer.State adam = new Optimizer.State(ParameterSet.fromBytes(files.get(ADAM_M)), ParameterSet.fromBytes(files.get(ADAM_V)),
        manifest.get("optimizer_step").getAsLong());
    return new TrainingState(manifest.get("epoch").getAsInt(), theta, ema, adam);
  }

  /** Reads every regular file of a local checkpoint directory. */
  public static Map<String, byte[]> readDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + ": no such checkpoint directory");
    }
    Map<String, byte[]> files = new TreeMap<>();
    try (var stream = Files.list(dir)) {
      for (Path p : (Iterable<Path>) stream::iterator) {
        if (Files.isRegularFile(p)) {
          files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
    }
    return files;
  }

  /**
   * Writes a local checkpoint directory atomically and durably: into a temporary sibling
   * {@code <dir>.tmp-<pid>} (manifest first, so a leftover is recognisably ram's), every file
   * synced, then renamed into place; an existing checkpoint is renamed to {@code <dir>.old-<pid>}
   * first and deleted after. {@link #removeLeftovers} clears what a crash leaves.
   */
  public static void writeDirectory(Path dir, Map<String, byte[]> files) {
    writeDirectory(dir, files, () -> {});
  }

  /** The same, running {@code beforeRename} once every file is written (a crash point for tests). */
  public static void writeDirectory(Path dir, Map<String, byte[]> files, Runnable beforeRename) {
    Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    try {
      Files.createDirectories(tmp);
      if (files.containsKey(MANIFEST)) {
        Files.write(tmp.resolve(MANIFEST), files.get(MANIFEST));
      }
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        if (!e.getKey().equals(MANIFEST)) {
          Files.write(tmp.resolve(e.getKey()), e.getValue());
        }
      }
      beforeRename.run();
      if (Files.exists(dir)) {
        Path old = dir.resolveSibling(dir.getFileName() + ".old-" + ProcessHandle.current().pid());
        DurableFiles.rename(dir, old);
        DurableFiles.rename(tmp, dir);
        deleteFlat(old);
      } else {
        DurableFiles.rename(tmp, dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Deletes the {@code <dir>.tmp-<pid>} and {@code <dir>.old-<pid>} siblings that a crash inside
   * {@link #writeDirectory} left, and only those that are recognisably a checkpoint's (flat, with
   * a {@code manifest.json} or empty); returns how many.
   */
  public static int removeLeftovers(Path dir) {
    Path parent = dir.toAbsolutePath().getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      return 0;
    }
    String prefix = dir.getFileName().toString();
    int removed = 0;
    try (var stream = Files.list(parent)) {
      for (Path p : stream.toList()) {
        String name = p.getFileName().toString();
        boolean ours = name.matches(java.util.regex.Pattern.quote(prefix) + "\\.(tmp|old)-\\d+") && Files.isDirectory(p)
            && isFlatCheckpointOrEmpty(p);
        if (ours) {
          deleteFlat(p);
          removed++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(parent + ": " + e.getMessage(), e);
    }
    return removed;
  }

  private static boolean isFlatCheckpointOrEmpty(Path p) throws IOException {
    try (var s = Files.list(p)) {
      List<Path> entries = s.toList();
      return entries.stream().allMatch(Files::isRegularFile)
          && (entries.isEmpty() || entries.stream().anyMatch(e -> e.getFileName().toString().equals(MANIFEST)));
    }
  }

  private static void deleteFlat(Path dir) throws IOException {
    try (var stream = Files.list(dir)) {
      for (Path p : (Iterable<Path>) stream::iterator) {
        Files.delete(p);
      }
    }
    Files.delete(dir);
  }

  /** Lower-case hex SHA-256. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
