package ram.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * What {@link Checkpoint#verify} and the decoders refuse, one broken manifest or file at a time:
 * an incomplete hash table, an unlisted file, a missing or mistyped field, a checkpoint that is
 * not the epoch whose directory it sits in, and weights holding NaN or an infinity. Each refusal
 * is one IllegalArgumentException line naming the checkpoint (its file) and the field or tensor.
 */
class CheckpointIntegrityTest {

  static final String RUN = "/runs/toy";
  static final String EPOCH_3 = RUN + "/epochs/000003/checkpoint";
  static final String EPOCH_1 = RUN + "/epochs/000001/checkpoint";

  /** Two tensors, so that "the first non-finite tensor" can be told from the second. */
  static ParameterSet params(float first, float second) {
    return new ParameterSet().put("layer0.weight", new int[] {2}, new float[] {first, 0.5f})
        .put("layer1.weight", new int[] {3}, new float[] {1, second, 2});
  }

  static Map<String, byte[]> training(int epoch, String parent) {
    TrainingState state = new TrainingState(epoch, params(1, 1), params(1, 1), new Optimizer.State(params(0, 0), params(0, 0), 4));
    return new LinkedHashMap<>(Checkpoint.encodeTraining(state, "toy-mlp-2d-128x3", parent));
  }

  static Map<String, byte[]> base() {
    return new LinkedHashMap<>(Checkpoint.encodeBase(params(1, 1), "toy-mlp-2d-128x3", Map.of("note", "test")));
  }

  /** The files with the manifest edited (not re-hashed: the table covers the other files, not the manifest). */
  static Map<String, byte[]> edited(Map<String, byte[]> files, Consumer<JsonObject> edit) {
    JsonObject manifest = JsonParser.parseString(new String(files.get(Checkpoint.MANIFEST), StandardCharsets.UTF_8)).getAsJsonObject();
    edit.accept(manifest);
    Map<String, byte[]> out = new LinkedHashMap<>(files);
    out.put(Checkpoint.MANIFEST, manifest.toString().getBytes(StandardCharsets.UTF_8));
    return out;
  }

  /** One parameter file replaced, its hash in the manifest updated to match (a consistent but broken checkpoint). */
  static Map<String, byte[]> withParams(Map<String, byte[]> files, String name, ParameterSet p) {
    Map<String, byte[]> out = new LinkedHashMap<>(files);
    out.put(name, p.toBytes());
    return edited(out, m -> m.getAsJsonObject("sha256").addProperty(name, Checkpoint.sha256(out.get(name))));
  }

  record Case(String what, Map<String, byte[]> files, String where, String error) {}

  @Test
  void everyBrokenCheckpointIsRefusedByNameInOneLine() {
    String m3 = EPOCH_3 + "/manifest.json: ";
    String listAll = " (every file of a checkpoint must be listed with its SHA-256)";
    Map<String, byte[]> good3 = training(3, RUN + "/epochs/000002/checkpoint");
    Map<String, byte[]> extra = new LinkedHashMap<>(good3);
    extra.put("notes.txt", "hand-written".getBytes(StandardCharsets.UTF_8));
    List<Case> cases = List.of(
        new Case("empty table", edited(good3, m -> m.add("sha256", new JsonObject())), EPOCH_3, m3 + "the sha256 table is empty" + listAll),
        new Case("table without ema", edited(good3, m -> m.getAsJsonObject("sha256").remove("ema.params")), EPOCH_3,
            m3 + "the sha256 table does not list ema.params" + listAll),
        new Case("base table without theta", edited(base(), m -> {
          m.getAsJsonObject("sha256").remove("theta.params");
          m.getAsJsonObject("sha256").addProperty("ema.params", "00");
        }), "/models/b",
            "/models/b/manifest.json: the sha256 table does not list theta.params" + listAll),
        new Case("unlisted extra file", extra, EPOCH_3, EPOCH_3 + "/notes.txt: not listed in the manifest's sha256 table" + listAll),
        new Case("table not a table", edited(good3, m -> m.addProperty("sha256", "abc")), EPOCH_3,
            m3 + "field 'sha256' must be a table of file names to SHA-256, got \"abc\""),
        new Case("hash not a string", edited(good3, m -> m.getAsJsonObject("sha256").addProperty("ema.params", 5)), EPOCH_3,
            m3 + "the SHA-256 of ema.params must be a string, got 5"),
        new Case("kind missing", edited(good3, m -> m.remove("kind")), EPOCH_3, m3 + "field 'kind' is missing"),
        new Case("kind a number", edited(good3, m -> m.addProperty("kind", 7)), EPOCH_3, m3 + "field 'kind' must be a string, got 7"),
        new Case("kind unknown", edited(good3, m -> m.addProperty("kind", "lora")), EPOCH_3,
            m3 + "field 'kind' must be \"base\" or \"training\", got \"lora\""),
        new Case("architecture a list", edited(good3, m -> m.add("architecture", new JsonArray())), EPOCH_3,
            m3 + "field 'architecture' must be a string, got []"),
        new Case("epoch missing", edited(good3, m -> m.remove("epoch")), EPOCH_3, m3 + "field 'epoch' is missing"),
        new Case("epoch a string", edited(good3, m -> m.addProperty("epoch", "3")), EPOCH_3,
            m3 + "field 'epoch' must be a non-negative integer, got \"3\""),
        new Case("epoch a fraction", edited(good3, m -> m.addProperty("epoch", 2.5)), EPOCH_3,
            m3 + "field 'epoch' must be a non-negative integer, got 2.5"),
        new Case("parent null", edited(good3, m -> m.add("parent", com.google.gson.JsonNull.INSTANCE)), EPOCH_3,
            m3 + "field 'parent' is missing"),
        new Case("manifest a list", Map.of("manifest.json", "[1]".getBytes(StandardCharsets.UTF_8)), EPOCH_3,
            m3 + "expected a JSON object, got [1]"),
        new Case("epoch 1 copied into epoch 3", training(1, "/models/toy2d/base"), EPOCH_3,
            m3 + "says epoch 1, but it sits in the directory of epoch 3 (a checkpoint copied from another epoch?)"),
        new Case("parent two epochs back", training(3, RUN + "/epochs/000001/checkpoint"), EPOCH_3,
            m3 + "its parent is /runs/toy/epochs/000001/checkpoint, but the parent of epoch 3 must be the checkpoint of epoch 2 "
                + "(epochs/000002/checkpoint)"),
        new Case("parent the base after epoch 1", training(3, "/models/toy2d/base"), EPOCH_3,
            m3 + "its parent is /models/toy2d/base, but the parent of epoch 3 must be the checkpoint of epoch 2 (epochs/000002/checkpoint)"),
        new Case("epoch 1 with an epoch as parent", training(1, RUN + "/epochs/000000/checkpoint"), EPOCH_1,
            EPOCH_1 + "/manifest.json: its parent is /runs/toy/epochs/000000/checkpoint, but the parent of epoch 1 must be the base checkpoint"),
        new Case("a base in an epoch directory", base(), EPOCH_3,
            m3 + "a base checkpoint in the directory of epoch 3; expected that epoch's training checkpoint"),
        new Case("NaN in theta", withParams(good3, "theta.params", params(1, Float.NaN)), EPOCH_3,
            EPOCH_3 + "/theta.params: parameter layer1.weight holds a non-finite value (NaN or infinity); the checkpoint is broken"),
        new Case("infinities in two Adam tensors", withParams(good3, "adam_v.params", params(Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)),
            EPOCH_3, EPOCH_3 + "/adam_v.params: parameter layer0.weight holds a non-finite value (NaN or infinity); "
                + "the checkpoint is broken"));
    for (Case c : cases) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.decodeTraining(c.files(), c.where()),
          c.what());
      assertEquals(c.error(), e.getMessage(), c.what());
    }
  }

  @Test
  void aBaseWithNaNIsRefusedByEveryLoader() {
    Map<String, byte[]> files = withParams(base(), "theta.params", params(Float.NaN, 1));
    String error = "/models/b/theta.params: parameter layer0.weight holds a non-finite value (NaN or infinity); the checkpoint is broken";
    assertEquals(error, assertThrows(IllegalArgumentException.class, () -> Checkpoint.decodeTheta(files, "/models/b")).getMessage());
    assertEquals(error, assertThrows(IllegalArgumentException.class, () -> Checkpoint.verifyWeights(files, "/models/b")).getMessage());
    Checkpoint.verify(files, "/models/b"); // the hashes alone are consistent: only decoding sees the NaN
  }

  @Test
  void checkpointsInTheirPlaceLoadAndAMovedRunStillVerifies() {
    TrainingState three = Checkpoint.decodeTraining(training(3, "/elsewhere/old-run/epochs/000002/checkpoint"), EPOCH_3);
    assertEquals(3, three.epoch());
    assertEquals(4, three.optimizer().step());
    assertArrayEquals(new float[] {1, 1, 2}, three.theta().get("layer1.weight"));
    assertEquals(1, Checkpoint.decodeTraining(training(1, "/models/toy2d/base"), EPOCH_1).epoch());
    assertEquals("base", Checkpoint.verifyWeights(base(), "/models/b").get("kind").getAsString());
    // outside a run's epoch directory (pretraining state, tests), the epoch is the writer's own count
    assertEquals(7, Checkpoint.decodeTraining(training(7, "pretrain-step-7"), "/pretrain/state").epoch());
  }
}
