package ram.rewards.image;

import java.awt.Color;

/**
 * The one canvas both synthetic worlds (shapes and text) draw on, and that the image model
 * generates: {@link #SIZE} x {@link #SIZE} RGB on a mid-grey background.
 *
 * <p>Mid-grey lets black and white objects stand out equally. The size is the smallest at which
 * the shape detector and the OCR reward still reach their validity targets on ground-truth
 * renders (see docs/rewards.md); every renderer and reward reads it from here.
 */
public final class Canvas {

  /** Width and height of every image, in pixels. */
  public static final int SIZE = 32;

  /** Background of every ground-truth render. */
  public static final Color BACKGROUND = new Color(128, 128, 128);

  private Canvas() {}
}
