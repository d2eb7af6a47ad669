package ram.runners.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ram.rewards.RewardInput;
import ram.rewards.geneval.GenEvalReward;
import ram.rewards.geneval.PairOutcome;
import ram.runners.store.SampleStore;
import ram.schemas.Reward;
import ram.schemas.Sample;
import ram.transforms.ParquetRecords;
import ram.transforms.ScoreRewards;
import ram.transforms.Tensors;

/**
 * The numbers of one evaluated prompt set, computed from its unit of the store: the mean of each
 * reward (and its failures); for GenEval also strict accuracy (every requirement met: score 1)
 * overall and per tag; diversity (mean RMS distance between the images of one prompt, averaged
 * over prompts); for GenEval, what pair prompts' images show ({@link PairOutcome}); and drift
 * from the base (RMS distance to the base model's endpoint from the same noise), when base
 * samples were drawn.
 */
public final class EvaluationResults {

  private EvaluationResults() {}

  public static Map<String, Double> of(String set, Path unit) {
    return of(set, unit, read(unit.resolve("samples")));
  }

  /** The same, with the unit's samples already read (by id). */
  public static Map<String, Double> of(String set, Path unit, Map<String, Sample> samples) {
    Map<String, Double> out = new TreeMap<>();
    Map<String, double[]> sums = new TreeMap<>(); // name -> {sum, scored, failed}
    Map<String, double[]> tags = new TreeMap<>(); // tag -> {score sum, strict sum, count}
    List<Reward> records = new ArrayList<>();
    for (Path f : SampleStore.parquetIn(unit.resolve("rewards"))) {
      records.addAll(ParquetRecords.readAs(f.toString(), Reward.class));
    }
    records.sort(java.util.Comparator.comparing(Reward::getRewardName).thenComparing(Reward::getSampleId)); // a fixed sum order
    for (Reward r : records) {
      if (r.getRewardName().equals(ScoreRewards.WEIGHTED)) {
        continue;
      }
      double[] s = sums.computeIfAbsent(r.getRewardName(), k -> new double[3]);
      if (r.getValue() == null) {
        s[2]++;
        continue;
      }
      s[0] += r.getValue();
      s[1]++;
      if (r.getRewardName().equals(GenEvalReward.NAME)) {
        String tag = String.valueOf(samples.get(r.getSampleId()).getTag());
        double strict = r.getValue() >= 1 - 1e-9 ? 1 : 0;
        for (String key : List.of("all", tag)) {
          double[] t = tags.computeIfAbsent(key, k -> new double[3]);
          t[0] += r.getValue();
          t[1] += strict;
          t[2]++;
        }
      }
    }
    sums.forEach((name, s) -> {
      out.put(key(set, name) + "_mean", s[1] == 0 ? Double.NaN : s[0] / s[1]);
      out.put(key(set, name) + "_failed", s[2]);
    });
    String geneval = key(set, GenEvalReward.NAME);
    tags.forEach((tag, t) -> {
      if (tag.equals("all")) {
        out.put(geneval + "_strict", t[1] / t[2]);
      } else {
        out.put(geneval + "_" + tag + "_mean", t[0] / t[2]);
        out.put(geneval + "_" + tag + "_strict", t[1] / t[2]);
      }
    });
    if (!tags.isEmpty()) {
      out.putAll(pairOutcomes(geneval, samples));
    }
    out.put(set + "_diversity", diversity(samples));
    if (!SampleStore.parquetIn(unit.resolve("base-samples")).isEmpty()) {
      Map<String, Sample> base = read(unit.resolve("base-samples"));
      double drift = 0;
      for (Map.Entry<String, Sample> e : samples.entrySet()) {
        drift += rms(Tensors.values(e.getValue().getEndpoint()), Tensors.values(base.get(e.getKey()).getEndpoint()));
      }
      out.put(set + "_drift_from_base", drift / samples.size());
    }
    out.put(set + "_samples", (double) samples.size());
    return out;
  }

  /**
   * Over the samples whose prompt asks for one object each of two classes: the share of each
   * {@link PairOutcome} ({@code <geneval>_pair_both}, ...) and their number ({@code _pair_samples}).
   * It tells binding (both drawn) from the hedge of one object, which earns half credit.
   */
  static Map<String, Double> pairOutcomes(String geneval, Map<String, Sample> samples) {
    GenEvalReward reward = new GenEvalReward();
    Map<PairOutcome, Integer> counts = new EnumMap<>(PairOutcome.class);
    int n = 0;
    for (Sample s : samples.values()) {
      if (s.getMetadataJson() == null) {
        continue;
      }
      PairOutcome outcome = reward.pairOutcome(new RewardInput(s.getSampleId().toString(), Tensors.values(Tensors.image(s)),
          Tensors.shape(Tensors.image(s)), s.getPrompt().toString(), s.getMetadataJson().toString()));
      if (outcome != null) {
        counts.merge(outcome, 1, Integer::sum);
        n++;
      }
    }
    Map<String, Double> out = new TreeMap<>();
    if (n > 0) {
      for (PairOutcome o : PairOutcome.values()) {
        out.put(geneval + "_pair_" + o.word(), counts.getOrDefault(o, 0) / (double) n);
      }
      out.put(geneval + "_pair_samples", (double) n);
    }
    return out;
  }

  /** The name of a reward's results on a set: {@code geneval} for GenEval on the geneval set, else {@code set_reward}. */
  public static String key(String set, String reward) {
    return set.equals(reward) ? set : set + "_" + reward;
  }

  /** Mean over prompts of the mean pairwise RMS distance of its images (prompts with one image are skipped). */
  static double diversity(Map<String, Sample> samples) {
    Map<Integer, List<float[]>> bySlot = new TreeMap<>();
    for (Sample s : samples.values()) {
      bySlot.computeIfAbsent(s.getPromptSlot(), k -> new ArrayList<>()).add(Tensors.values(Tensors.image(s)));
    }
    double total = 0;
    int prompts = 0;
    for (List<float[]> group : bySlot.values()) {
      if (group.size() < 2) {
        continue;
      }
      double sum = 0;
      int pairs = 0;
      for (int i = 0; i < group.size(); i++) {
        for (int j = i + 1; j < group.size(); j++) {
          sum += rms(group.get(i), group.get(j));
          pairs++;
        }
      }
      total += sum / pairs;
      prompts++;
    }
    return prompts == 0 ? Double.NaN : total / prompts;
  }

  static double rms(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      s += d * d;
    }
    return Math.sqrt(s / a.length);
  }

  /** Samples by id. */
  public static Map<String, Sample> read(Path dir) {
    Map<String, Sample> out = new HashMap<>();
    for (Path f : SampleStore.parquetIn(dir)) {
      for (Sample s : ParquetRecords.readAs(f.toString(), Sample.class)) {
        out.put(s.getSampleId(), s);
      }
    }
    return new TreeMap<>(out);
  }
}
