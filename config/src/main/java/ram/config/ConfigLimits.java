package ram.config;

import java.util.List;

import ram.model.Networks;
import ram.model.torchscript.TorchScriptSpec;

/**
 * Limits on products of config keys, checked once a config and its overrides are resolved: each
 * key may be within its own bound ({@link ConfigKeys.Key#max}) while a product is not. Counts the
 * code keeps in an {@code int} must fit one; what is held in one Java array must fit one (at most
 * {@link #MAX_ARRAY} elements); what a run holds in memory at once must fit this JVM's max heap
 * ({@link Runtime#maxMemory()}, set with {@code -Xmx}). Keys a config does not have are not checked.
 */
public final class ConfigLimits {

  /** The largest Java array the JVM allocates. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  private ConfigLimits() {}

  /** Refuses a config whose products do not fit, naming the keys, their values and the limit. */
  public static void requireFits(RunConfig config) {
    String where = "config '" + config.name() + "'";
    long size = sampleSize(config);
    long heap = Runtime.getRuntime().maxMemory();
    String heapWhy = "this JVM's max heap, Runtime.maxMemory(); raise it with -Xmx or lower the keys";
    if (has(config, "prompts_per_epoch", "images_per_prompt")) {
      product(where, config, Integer.MAX_VALUE, "the epoch's endpoints are counted in an int", "prompts_per_epoch", "images_per_prompt");
    }
    if (has(config, "prompts_per_epoch", "images_per_prompt", "renoisings")) {
      product(where, config, Integer.MAX_VALUE, "the epoch's training items are counted in an int", "prompts_per_epoch",
          "images_per_prompt", "renoisings");
    }
    if (has(config, "epochs", "optimizer_steps_per_epoch")) {
      product(where, config, Integer.MAX_VALUE, "the run's optimizer steps are counted in an int", "epochs", "optimizer_steps_per_epoch");
    }
    if (size == 0) {
      return; // no known model: its name is checked where it is used
    }
    if (has(config, "images_per_prompt")) {
      bytes(where, config, size, 1, MAX_ARRAY, "one prompt's endpoints are one Java array", "images_per_prompt");
    }
    if (has(config, "prompts_per_epoch", "images_per_prompt", "optimizer_steps_per_epoch", "renoisings")) {
      long perStep = -Math.floorDiv(-(long) config.integer("prompts_per_epoch"), config.integer("optimizer_steps_per_epoch"))
          * config.integer("images_per_prompt") * config.integer("renoisings") * size;
      if (perStep > MAX_ARRAY) {
        throw new ConfigException(where + ": ceil(prompts_per_epoch / optimizer_steps_per_epoch) x images_per_prompt x renoisings"
            + " x sample size = " + perStep + " is above the limit of " + MAX_ARRAY + " (one gradient shard may hold a whole"
            + " optimizer step's re-noised endpoints in one Java array)");
      }
    }
    if (has(config, "pretrain_batch_size")) {
      bytes(where, config, size, 1, MAX_ARRAY, "a pretraining batch is one Java array", "pretrain_batch_size");
    }
    if (has(config, "prompts_per_epoch", "images_per_prompt")) {
      bytes(where, config, size, 4, heap, heapWhy, "prompts_per_epoch", "images_per_prompt");
    }
    if (has(config, "eval_samples")) {
      bytes(where, config, size, 4, heap, heapWhy, "eval_samples");
    }
  }

  /** Floats in one sample of the config's model, or 0 when it names none that is known. */
  @SuppressWarnings("unchecked")
  public static long sampleSize(RunConfig config) {
    if (TorchScriptSpec.MODEL.equals(config.resolvedValues().get("model")) && config.resolvedValues().get("sample_shape") instanceof List<?> dims) {
      return ((List<Integer>) dims).stream().mapToLong(Integer::longValue).reduce(1, (a, b) -> a * b);
    }
    if (!config.resolvedValues().containsKey("model") || !Networks.names().contains(config.string("model"))) {
      return 0;
    }
    return Networks.create(config.string("model")).sampleSize();
  }

  private static boolean has(RunConfig config, String... keys) {
    for (String key : keys) {
      if (!config.resolvedValues().containsKey(key)) {
        return false;
      }
    }
    return true;
  }

  /** keys[0] x keys[1] x ... at most {@code limit}. */
  private static void product(String where, RunConfig config, long limit, String why, String... keys) {
    long product = 1;
    StringBuilder values = new StringBuilder();
    for (String key : keys) {
      product *= config.longValue(key); // each key is at most 10^6 and there are at most three: no overflow
      values.append(values.length() == 0 ? "" : " x ").append(config.longValue(key));
    }
    if (product > limit) {
      throw new ConfigException(where + ": " + String.join(" x ", keys) + " = " + values + " = " + product + " is above the limit of "
          + limit + " (" + why + ")");
    }
  }

  /**
   * keys[0] x ... x sample size x {@code bytesPerFloat} at most {@code limit}: bytes when {@code bytesPerFloat} is 4, else
   * array elements (1). Each key is at most 10^7 and a sample a few thousand floats: the product fits a long.
   */
  private static void bytes(String where, RunConfig config, long size, int bytesPerFloat, long limit, String why, String... keys) {
    long product = size * bytesPerFloat;
    StringBuilder values = new StringBuilder();
    for (String key : keys) {
      product *= config.longValue(key);
      values.append(config.longValue(key)).append(" x ");
    }
    values.append(size);
    String what = String.join(" x ", keys) + " x sample size";
    String unit = "";
    if (bytesPerFloat > 1) {
      what += " x " + bytesPerFloat + " bytes";
      values.append(" x ").append(bytesPerFloat);
      unit = " bytes";
    }
    if (product > limit) {
      throw new ConfigException(where + ": " + what + " = " + values + " = " + product + unit + " is above the limit of " + limit
          + unit + " (" + why + ")");
    }
  }
}
