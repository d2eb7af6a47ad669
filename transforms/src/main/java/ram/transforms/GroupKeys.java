package ram.transforms;

import java.io.Serializable;

/**
 * The key that a shuffle gives its {@code group}-th group. Flink places a key on the worker its hash
 * picks, so two gradient shards keyed 0 and 1 can land on one worker and run one after the other;
 * a runner that places keys by hash supplies keys that spread the groups over its workers. The
 * identity where placement does not matter (the Direct runner). Results never depend on the keys:
 * every group holds the same items under any of them.
 */
@FunctionalInterface
public interface GroupKeys extends Serializable {

  /** Group {@code i} keyed {@code i}. */
  GroupKeys IDENTITY = group -> group;

  /** The key of group {@code group}; distinct groups get distinct keys. */
  int keyOf(int group);
}
