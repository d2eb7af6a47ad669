package ram.rewards;

/**
 * One sample to score: a dense float tensor (row-major, with its shape) and the prompt that asked
 * for it. Images are {@code [3, H, W]} RGB with values in [-1, 1]; the 2-D toy is {@code [2]}.
 *
 * @param sampleId the sample's id, for error messages
 * @param data tensor values, row-major
 * @param shape tensor shape
 * @param prompt the prompt text (empty for unconditional tasks)
 * @param metadataJson task metadata as JSON (e.g. GenEval include/exclude), or null
 */
public record RewardInput(String sampleId, float[] data, int[] shape, String prompt, String metadataJson) {}
