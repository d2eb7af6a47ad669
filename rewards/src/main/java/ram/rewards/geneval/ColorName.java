package ram.rewards.geneval;

import java.awt.Color;

/**
 * GenEval's ten colour names, each with the RGB the renderer draws, and a classifier that names
 * any RGB colour by hue, saturation and value.
 *
 * <p>The render colours sit well inside their classifier regions, so small jitter and
 * anti-aliasing never change the name of a ground-truth render.
 */
public enum ColorName {
  RED(220, 30, 30),
  ORANGE(250, 140, 20),
  YELLOW(240, 220, 30),
  GREEN(40, 170, 60),
  BLUE(40, 80, 230),
  PURPLE(140, 50, 190),
  PINK(245, 130, 190),
  BROWN(130, 80, 30),
  BLACK(20, 20, 20),
  WHITE(245, 245, 245);

  private final int r;
  private final int g;
  private final int b;

  ColorName(int r, int g, int b) {
    this.r = r;
    this.g = g;
    this.b = b;
  }

  /** The metadata word, e.g. {@code red}. */
  public String word() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The colour ground-truth renders use, before jitter. */
  public Color renderColor() {
    return new Color(r, g, b);
  }

  /** The colour with this metadata word, or null. */
  public static ColorName byWord(String word) {
    for (ColorName c : values()) {
      if (c.word().equals(word)) {
        return c;
      }
    }
    return null;
  }

  /**
   * Names an RGB colour (0-255 per channel). Low value is black; low saturation is white or black
   * by value; otherwise the hue picks the name, with dark orange-red hues called brown and light
   * desaturated reds called pink.
   */
  public static ColorName classify(int red, int green, int blue) {
    float[] hsv = Color.RGBtoHSB(red, green, blue, null);
    float hue = hsv[0] * 360f;
    float sat = hsv[1];
    float val = hsv[2];
    if (val < 0.25f) {
      return BLACK;
    }
    if (sat < 0.25f) {
      return val > 0.6f ? WHITE : BLACK;
    }
    boolean reddish = hue < 15f || hue >= 345f;
    if (hue >= 8f && hue < 45f && val < 0.62f) {
      return BROWN;
    }
    if (reddish) {
      return sat < 0.6f && val > 0.7f ? PINK : RED;
    }
    if (hue < 40f) {
      return ORANGE;
    }
    if (hue < 70f) {
      return YELLOW;
    }
    if (hue < 170f) {
      return GREEN;
    }
    if (hue < 260f) {
      return BLUE;
    }
    if (hue < 300f) {
      return PURPLE;
    }
    return PINK;
  }
}
