package ram.model;

import java.io.IOException;
import java.math.BigDecimal;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * A checkpoint as a set of named files plus {@code manifest.json}, which records the architecture,
 * the epoch, the parent checkpoint, free-form provenance and the SHA-256 of every file. Decoding
 * verifies every hash, that every file is listed and that a run's checkpoint is the epoch it sits
 * in, and refuses non-finite weights, so a tampered, truncated, misplaced or broken checkpoint is
 * refused, never half-loaded.
 *
 * <p>Two kinds: a <em>base</em> checkpoint holds only {@code theta.params} (a pretrained model);
 * a <em>training</em> checkpoint holds theta, the EMA and the optimizer's moments.
 */
public final class Checkpoint {

  public static final String MANIFEST = "manifest.json";
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
  /** The file of a checkpoint's parameters theta (a base's weights, or a training state's policy). */
  public static final String THETA = "theta.params";
  /** The file of a training checkpoint's exponential moving average of theta. */
  public static final String EMA = "ema.params";
  private static final String ADAM_M = "adam_m.params";
  private static final String ADAM_V = "adam_v.params";
  private static final List<String> BASE_FILES = List.of(THETA);
  private static final List<String> TRAINING_FILES = List.of(THETA, EMA, ADAM_M, ADAM_V);
  /** Where a run keeps an epoch's checkpoint: {@code <run>/epochs/NNNNNN/checkpoint}. */
  private static final Pattern EPOCH_CHECKPOINT = Pattern.compile(".*/epochs/(\\d{6})/checkpoint/?");

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

  /**
   * The verified manifest of a checkpoint's files; {@code where} (the checkpoint's directory)
   * names it in errors. The manifest must say what the checkpoint is ({@code kind},
   * {@code architecture}, and for a training checkpoint {@code epoch}, {@code optimizer_step} and
   * {@code parent}) and list every other file with its SHA-256: the parameter files its kind needs,
   * and nothing unlisted besides. Every hash must match, and a checkpoint that sits in a run's
   * epoch directory must be that epoch's ({@link #requirePlacedWhereItSits}).
   */
  public static JsonObject verify(Map<String, byte[]> files, String where) {
    JsonObject manifest = manifest(files, where);
    String kind = string(manifest, "kind", where);
    if (!kind.equals("base") && !kind.equals("training")) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": field 'kind' must be \"base\" or \"training\", got \"" + kind + "\"");
    }
    string(manifest, "architecture", where);
    if (kind.equals("training")) {
      integer(manifest, "epoch", where);
      integer(manifest, "optimizer_step", where);
      string(manifest, "parent", where);
    }
    JsonObject hashes = hashTable(manifest, where);
    for (String required : kind.equals("training") ? TRAINING_FILES : BASE_FILES) {
      if (!hashes.has(required)) {
        throw new IllegalArgumentException(where + "/" + MANIFEST + ": the sha256 table does not list " + required
            + " (every file of a checkpoint must be listed with its SHA-256)");
      }
    }
    for (String name : files.keySet()) {
      if (!name.equals(MANIFEST) && !hashes.has(name)) {
        throw new IllegalArgumentException(where + "/" + name + ": not listed in the manifest's sha256 table "
            + "(every file of a checkpoint must be listed with its SHA-256)");
      }
    }
    for (Map.Entry<String, JsonElement> e : hashes.entrySet()) {
      byte[] bytes = files.get(e.getKey());
      if (bytes == null) {
        throw new IllegalArgumentException(where + ": file " + e.getKey() + " listed in the manifest is missing");
      }
      if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
        throw new IllegalArgumentException(where + "/" + MANIFEST + ": the SHA-256 of " + e.getKey() + " must be a string, got "
            + e.getValue());
      }
      if (!sha256(bytes).equals(e.getValue().getAsString())) {
        throw new IllegalArgumentException(where + "/" + e.getKey() + ": SHA-256 does not match the manifest (corrupt or tampered)");
      }
    }
    requirePlacedWhereItSits(manifest, where);
    return manifest;
  }

  /** The same, and every parameter file decoded and checked for non-finite values ({@link #params}). */
  public static JsonObject verifyWeights(Map<String, byte[]> files, String where) {
    JsonObject manifest = verify(files, where);
    for (String name : manifest.getAsJsonObject("sha256").keySet()) {
      if (name.endsWith(".params")) {
        params(files, name, where);
      }
    }
    return manifest;
  }

  /**
   * A checkpoint in a run's epoch directory ({@code .../epochs/NNNNNN/checkpoint}) must be that
   * epoch's training checkpoint, whose parent is the previous epoch's checkpoint (for epoch 1, the
   * base, which sits in no epoch directory). A checkpoint copied in from another epoch is refused
   * by name. Parents are compared by their place in a run, so a run that was moved still verifies.
   */
  static void requirePlacedWhereItSits(JsonObject manifest, String where) {
    Matcher placed = EPOCH_CHECKPOINT.matcher(where);
    if (!placed.matches()) {
      return;
    }
    int epoch = Integer.parseInt(placed.group(1));
    String kind = manifest.get("kind").getAsString();
    if (!kind.equals("training")) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": a " + kind + " checkpoint in the directory of epoch " + epoch
          + "; expected that epoch's training checkpoint");
    }
    int says = manifest.get("epoch").getAsInt();
    if (says != epoch) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": says epoch " + says + ", but it sits in the directory of epoch "
          + epoch + " (a checkpoint copied from another epoch?)");
    }
    String parent = manifest.get("parent").getAsString();
    Matcher parentPlaced = EPOCH_CHECKPOINT.matcher(parent);
    if (epoch == 1 && parentPlaced.matches()) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": its parent is " + parent
          + ", but the parent of epoch 1 must be the base checkpoint");
    }
    if (epoch > 1 && !(parentPlaced.matches() && Integer.parseInt(parentPlaced.group(1)) == epoch - 1)) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": its parent is " + parent + ", but the parent of epoch " + epoch
          + " must be the checkpoint of epoch " + (epoch - 1) + String.format(" (epochs/%06d/checkpoint)", epoch - 1));
    }
  }

  private static JsonObject hashTable(JsonObject manifest, String where) {
    if (!manifest.has("sha256")) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": missing the sha256 table");
    }
    if (!manifest.get("sha256").isJsonObject()) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": field 'sha256' must be a table of file names to SHA-256, got "
          + manifest.get("sha256"));
    }
    JsonObject hashes = manifest.getAsJsonObject("sha256");
    if (hashes.size() == 0) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": the sha256 table is empty "
          + "(every file of a checkpoint must be listed with its SHA-256)");
    }
    return hashes;
  }

  /** A manifest field that must be a string. */
  private static String string(JsonObject manifest, String field, String where) {
    JsonElement value = field(manifest, field, where);
    if (!value.isJsonPrimitive() || !value.getAsJsonPrimitive().isString()) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": field '" + field + "' must be a string, got " + value);
    }
    return value.getAsString();
  }

  /** A manifest field that must be a whole number. */
  private static long integer(JsonObject manifest, String field, String where) {
    JsonElement value = field(manifest, field, where);
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      BigDecimal number = value.getAsBigDecimal();
      if (number.signum() >= 0 && number.stripTrailingZeros().scale() <= 0 && number.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0) {
        return number.longValueExact();
      }
    }
    throw new IllegalArgumentException(where + "/" + MANIFEST + ": field '" + field + "' must be a non-negative integer, got " + value);
  }

  private static JsonElement field(JsonObject manifest, String field, String where) {
    JsonElement value = manifest.get(field);
    if (value == null || value.isJsonNull()) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": field '" + field + "' is missing");
    }
    return value;
  }

  /** The manifest of a checkpoint's files, parsed but not checked against the files (see {@link #verify}). */
  public static JsonObject manifest(Map<String, byte[]> files, String where) {
    byte[] raw = files.get(MANIFEST);
    if (raw == null) {
      throw new IllegalArgumentException(where + ": no " + MANIFEST + " (not a checkpoint, or an incomplete one)");
    }
    JsonElement parsed;
    try {
      parsed = JsonParser.parseString(new String(raw, StandardCharsets.UTF_8));
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": not valid JSON: " + e.getMessage(), e);
    }
    if (!parsed.isJsonObject()) {
      throw new IllegalArgumentException(where + "/" + MANIFEST + ": expected a JSON object, got " + (parsed.isJsonNull() ? "nothing" : parsed));
    }
    return parsed.getAsJsonObject();
  }

  /**
   * The parameter file {@code name} of a verified checkpoint, decoded; weights holding NaN or an
   * infinity are refused, naming the file and the first tensor that holds one, so a broken
   * checkpoint fails at load rather than as non-finite samples part-way through an epoch.
   */
  public static ParameterSet params(Map<String, byte[]> files, String name, String where) {
    ParameterSet p;
    try {
      p = ParameterSet.fromBytes(files.get(name));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(where + "/" + name + ": " + e.getMessage(), e);
    }
    List<String> broken = p.nonFiniteNames();
    if (!broken.isEmpty()) {
      throw new IllegalArgumentException(where + "/" + name + ": parameter " + broken.get(0)
          + " holds a non-finite value (NaN or infinity); the checkpoint is broken");
    }
    return p;
  }

  /** The parameters theta of any checkpoint (base or training), verified. */
  public static ParameterSet decodeTheta(Map<String, byte[]> files, String where) {
    verify(files, where);
    return params(files, THETA, where);
  }

  /** The training state of a training checkpoint, verified. */
  public static TrainingState decodeTraining(Map<String, byte[]> files, String where) {
    JsonObject manifest = verify(files, where);
    if (!"training".equals(manifest.get("kind").getAsString())) {
      throw new IllegalArgumentException(where + ": a " + manifest.get("kind").getAsString() + " checkpoint, expected a training checkpoint");
    }
    ParameterSet theta = params(files, THETA, where);
    ParameterSet ema = params(files, EMA, where);
    Optimizer.State adam = new Optimizer.State(params(files, ADAM_M, where), params(files, ADAM_V, where),
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
      DurableFiles.syncTree(tmp);
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
