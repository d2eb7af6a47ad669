package ram.rewards.geneval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * GenEval's scoring rules on a list of detections, as in Flow-GRPO's reward server (docs/algorithm.md
 * section 6). It knows nothing about images, so the shapes detector and a COCO detector can both
 * feed it.
 *
 * <p>Detections count when their confidence is above 0.3 (0.9 for counting prompts), at most 16
 * per class, most confident first. The partial-credit score is the mean of a list built per
 * include item; strict accuracy needs every item matched exactly; "correct" is GenEval's own
 * evaluation metric (at least n objects, colour and position checked on the n most confident,
 * exclude clauses applied).
 *
 * <p>Reference quirk, reproduced on purpose: when a position check finds a violating pair it
 * appends 0 and then still appends 1, so a wrong relation earns partial credit of 1 out of 3
 * entries for that item instead of 0 out of 2. {@link #REFERENCE_POSITION_QUIRK} documents it.
 */
public final class GenEvalScorer {

  /** Confidence a detection must exceed for every tag but counting. */
  public static final double THRESHOLD = 0.3;
  /** Confidence a detection must exceed for counting prompts. */
  public static final double COUNTING_THRESHOLD = 0.9;
  /** At most this many detections per class are kept. */
  public static final int MAX_OBJECTS = 16;
  /** True: the reference's extra 1 after a position violation is reproduced. */
  public static final boolean REFERENCE_POSITION_QUIRK = true;

  /** Scores one image's detections against its prompt's metadata. */
  public GenEvalScore score(GenEvalPrompt prompt, List<Detection> detections) {
    Map<String, List<Detection>> byClass = keep(detections, prompt.tag() == GenEvalTag.COUNTING ? COUNTING_THRESHOLD : THRESHOLD);
    StringBuilder reason = new StringBuilder();
    List<Double> credits = new ArrayList<>();
    boolean strict = partialCredit(prompt, byClass, credits, reason);
    double score = credits.stream().mapToDouble(Double::doubleValue).average().orElse(0.0);
    return new GenEvalScore(prompt.tag(), score, strict, correct(prompt, byClass), reason.toString().trim());
  }

  /** Detections above the threshold, grouped by class, most confident first, at most 16 each. */
  static Map<String, List<Detection>> keep(List<Detection> detections, double threshold) {
    Map<String, List<Detection>> byClass = new HashMap<>();
    for (Detection d : detections) {
      if (d.confidence() > threshold) {
        byClass.computeIfAbsent(d.className(), k -> new ArrayList<>()).add(d);
      }
    }
    for (Map.Entry<String, List<Detection>> e : byClass.entrySet()) {
      List<Detection> sorted = new ArrayList<>(e.getValue());
      sorted.sort(Comparator.comparingDouble(Detection::confidence).reversed());
      e.setValue(sorted.subList(0, Math.min(MAX_OBJECTS, sorted.size())));
    }
    return byClass;
  }

  /** The reference's {@code evaluate_reward}: fills {@code credits}, returns strict correctness. */
  private static boolean partialCredit(GenEvalPrompt prompt, Map<String, List<Detection>> byClass, List<Double> credits, StringBuilder reason) {
    boolean strict = true;
    List<List<Detection>> matchedGroups = new ArrayList<>();
    for (IncludeItem req : prompt.include()) {
      int n = req.count();
      List<Detection> found = byClass.getOrDefault(req.className(), List.of());
      boolean matched = true;
      credits.add(1.0 - Math.abs(n - found.size()) / (double) n);
      if (found.size() != n) {
        strict = matched = false;
        reason.append("expected ").append(req.className()).append("==").append(n).append(", found ").append(found.size()).append("; ");
        if (req.color() != null || req.hasPosition()) {
          credits.add(0.0);
        }
      } else {
        if (req.color() != null) {
          int h = countColor(found, req.color());
          credits.add(1.0 - Math.abs(n - h) / (double) n);
          if (h != n) {
            strict = matched = false;
            reason.append("expected ").append(req.color()).append(' ').append(req.className()).append(">=").append(n).append(", found ").append(h).append("; ");
          }
        }
        if (req.hasPosition() && matched) {
          List<Detection> targets = matchedGroups.get(req.relativeTo());
          if (targets == null) {
            strict = matched = false;
            reason.append("no target for ").append(req.className()).append(" to be ").append(req.relation()).append("; ");
            credits.add(0.0);
          } else {
            matched = positionHolds(found, targets, req, credits, reason);
            strict &= matched;
            if (REFERENCE_POSITION_QUIRK || matched) {
              credits.add(1.0);
            }
          }
        }
      }
      matchedGroups.add(matched ? found : null);
    }
    return strict;
  }

  /** Checks every (object, target) pair; at the first violation appends 0 and returns false. */
  private static boolean positionHolds(List<Detection> found, List<Detection> targets, IncludeItem req, List<Double> credits, StringBuilder reason) {
    for (Detection obj : found) {
      for (Detection target : targets) {
        Set<String> relations = Relations.of(obj, target);
        if (!relations.contains(req.relation())) {
          reason.append("expected ").append(req.className()).append(' ').append(req.relation()).append(" target, found ").append(String.join(" and ", relations)).append(" target; ");
          credits.add(0.0);
          return false;
        }
      }
    }
    return true;
  }

  /** The reference's {@code evaluate}: GenEval's evaluation metric. */
  private static boolean correct(GenEvalPrompt prompt, Map<String, List<Detection>> byClass) {
    boolean correct = true;
    List<List<Detection>> matchedGroups = new ArrayList<>();
    for (IncludeItem req : prompt.include()) {
      List<Detection> all = byClass.getOrDefault(req.className(), List.of());
      List<Detection> found = all.subList(0, Math.min(req.count(), all.size()));
      boolean matched = true;
      if (found.size() < req.count()) {
        correct = matched = false;
      } else {
        if (req.color() != null && countColor(found, req.color()) < req.count()) {
          correct = matched = false;
        }
        if (req.hasPosition() && matched) {
          List<Detection> targets = matchedGroups.get(req.relativeTo());
          if (targets == null || !allPairsHold(found, targets, req.relation())) {
            correct = matched = false;
          }
        }
      }
      matchedGroups.add(matched ? found : null);
    }
    for (ExcludeItem ex : prompt.exclude()) {
      if (byClass.getOrDefault(ex.className(), List.of()).size() >= ex.count()) {
        correct = false;
      }
    }
    return correct;
  }

  private static boolean allPairsHold(List<Detection> found, List<Detection> targets, String relation) {
    for (Detection obj : found) {
      for (Detection target : targets) {
        if (!Relations.of(obj, target).contains(relation)) {
          return false;
        }
      }
    }
    return true;
  }

  private static int countColor(List<Detection> found, String color) {
    int h = 0;
    for (Detection d : found) {
      if (color.equals(d.color())) {
        h++;
      }
    }
    return h;
  }
}
