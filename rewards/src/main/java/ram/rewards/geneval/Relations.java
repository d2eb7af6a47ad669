package ram.rewards.geneval;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * GenEval's spatial relations between two boxes, exactly as its reward server computes them.
 *
 * <p>With box centres cA, cB and sizes dA, dB: {@code off = cA - cB},
 * {@code rev = max(|off| - 0.1 (dA + dB), 0) * sign(off)} per axis; no relation if every
 * {@code |rev| < 1e-3}; else {@code (dx, dy) = rev / ||off||} and dx &lt; -0.5 is "left of",
 * dx &gt; 0.5 "right of", dy &lt; -0.5 "above", dy &gt; 0.5 "below". Two relations can hold at once
 * (a diagonal offset).
 */
public final class Relations {

  public static final String LEFT_OF = "left of";
  public static final String RIGHT_OF = "right of";
  public static final String ABOVE = "above";
  public static final String BELOW = "below";

  /** The relation words, in a fixed order. */
  public static final java.util.List<String> ALL = java.util.List.of(LEFT_OF, RIGHT_OF, ABOVE, BELOW);

  /** Share of the two box sizes an offset must exceed before it counts (GenEval: 0.1). */
  public static final double POSITION_THRESHOLD = 0.1;

  private Relations() {}

  /** The relations that hold for A relative to B. */
  public static Set<String> of(Detection a, Detection b) {
    double offX = a.centerX() - b.centerX();
    double offY = a.centerY() - b.centerY();
    double revX = Math.max(Math.abs(offX) - POSITION_THRESHOLD * (a.width() + b.width()), 0) * Math.signum(offX);
    double revY = Math.max(Math.abs(offY) - POSITION_THRESHOLD * (a.height() + b.height()), 0) * Math.signum(offY);
    Set<String> relations = new LinkedHashSet<>();
    if (Math.abs(revX) < 1e-3 && Math.abs(revY) < 1e-3) {
      return relations;
    }
    double norm = Math.hypot(offX, offY);
    double dx = revX / norm;
    double dy = revY / norm;
    if (dx < -0.5) {
      relations.add(LEFT_OF);
    }
    if (dx > 0.5) {
      relations.add(RIGHT_OF);
    }
    if (dy < -0.5) {
      relations.add(ABOVE);
    }
    if (dy > 0.5) {
      relations.add(BELOW);
    }
    return relations;
  }
}
