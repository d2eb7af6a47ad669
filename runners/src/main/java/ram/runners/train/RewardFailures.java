package ram.runners.train;

import java.util.List;
import java.util.TreeMap;

import org.apache.avro.generic.GenericRecord;

import ram.config.ConfigException;
import ram.config.ConfigKeys;
import ram.config.RunConfig;
import ram.transforms.ParquetRecords;

/**
 * How often an epoch's training reward could not score a sample (its error rows: a reward record
 * with no value). An epoch whose reward failed on every sample, or on more than
 * {@code max_reward_failures} of them, has no learning signal worth publishing: the driver refuses
 * it before publishing rather than record an epoch that learned nothing.
 *
 * @param reward the training reward's name
 * @param failed samples whose reward is an error
 * @param total samples scored
 * @param firstError the error of the first failed sample by sample id, or null
 */
public record RewardFailures(String reward, int failed, int total, String firstError) {

  /** The share of failed samples above which an epoch fails, where the config sets none. */
  static final double DEFAULT_MAX_FRACTION = ConfigKeys.DEFAULT_MAX_REWARD_FAILURES;

  /** The training reward's records among {@code records} (the epoch's {@code rewards/} rows). */
  public static RewardFailures of(String reward, List<GenericRecord> records) {
    TreeMap<String, String> errors = new TreeMap<>();
    int total = 0;
    for (GenericRecord r : records) {
      if (!reward.equals(String.valueOf(r.get("reward_name")))) {
        continue;
      }
      total++;
      if (r.get("value") == null) {
        Object error = r.get("error");
        errors.put(String.valueOf(r.get("sample_id")), error == null ? "no value and no error recorded" : error.toString());
      }
    }
    return new RewardFailures(reward, errors.size(), total, errors.isEmpty() ? null : errors.firstEntry().getValue());
  }

  /** The failures of the training reward of the epoch written under {@code epochDir}. */
  static RewardFailures read(String reward, String epochDir) {
    return of(reward, ParquetRecords.read(epochDir + "/rewards/*.parquet"));
  }

  /** Whether the epoch must fail: every sample failed, or more than {@code maxFraction} of them. */
  public boolean tooMany(double maxFraction) {
    return failed > 0 && (failed == total || failed > maxFraction * total);
  }

  /** The error of a failed epoch: which reward, on how many samples, and the first error. */
  public String message(int epoch) {
    return "epoch " + epoch + ": reward " + reward + " failed on " + failed + " of " + total + " samples (first error: " + firstError + ")";
  }

  /** {@code max_reward_failures} of the config, or the default; a value above 1 is refused. */
  public static double maxFraction(RunConfig config) {
    double fraction = config.task().maxRewardFailures();
    if (fraction > 1) {
      throw new ConfigException("config '" + config.name() + "': max_reward_failures " + fraction
          + " is above 1; expected a fraction of the epoch's samples, 0..1");
    }
    return fraction;
  }
}
