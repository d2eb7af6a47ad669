package ram.rewards;

import java.util.List;

/**
 * A task reward: a black box that scores a batch of samples, never differentiated.
 *
 * <p>Each input gets exactly one result, in order: a value, or an error that says why this one
 * sample could not be scored. A bad sample never fails the batch. Implementations may hold heavy
 * resources (inference engines); create one per worker and {@link #close()} it when done.
 */
public interface Reward extends AutoCloseable {

  /** Stable name used in configs and stored records, e.g. {@code toy2d}, {@code ocr}. */
  String name();

  /** Version of the scoring rule; bump it whenever the same input could score differently. */
  String version();

  /**
   * Checks that a prompt carries what this reward needs to score its images (e.g. GenEval's
   * objects), so that a bad prompt file fails before a run starts rather than as error records.
   *
   * @param promptJson the prompt's JSON line, as stored in {@code metadata_json}
   * @throws IllegalArgumentException naming {@code where} and what is wrong
   */
  default void checkPrompt(String promptJson, String where) {}

  /** Scores a batch; the result list has the same size and order as the input. */
  List<RewardResult> score(List<RewardInput> batch);

  @Override
  default void close() {}
}
