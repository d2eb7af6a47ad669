package ram.rewards;

import java.util.List;

/**
 * A task reward: a black box that scores a batch of samples, never differentiated.
 *
 * <p>Each input gets exactly one result, in order: a value, or an error that says why this one
 * sample could not be scored. A bad sample never fails the batch. Implementations may hold heavy
 * resources (model sessions); create one per worker and {@link #close()} it when done.
 */
public interface Reward extends AutoCloseable {

  /** Stable name used in configs and stored records, e.g. {@code toy2d}, {@code ocr}. */
  String name();

  /** Version of the scoring rule; bump it whenever the same input could score differently. */
  String version();

  /** Scores a batch; the result list has the same size and order as the input. */
  List<RewardResult> score(List<RewardInput> batch);

  @Override
  default void close() {}
}
