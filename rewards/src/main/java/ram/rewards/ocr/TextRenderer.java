package ram.rewards.ocr;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Random;
import ram.rewards.geneval.ColorName;
import ram.rewards.image.Canvas;

/**
 * Draws a ground-truth image of the text world: the target word in bold sans-serif, as large as
 * fits the canvas width (1-pixel margins), in one of five high-contrast colours (small jitter), at
 * a random height (and a random left offset when the word is short), on the shared mid-grey canvas.
 *
 * <p>Glyphs come from the JVM's logical "SansSerif" font, i.e. the system's fonts (DejaVu Sans on
 * Debian): renders can differ slightly on machines with other fonts installed.
 */
public final class TextRenderer {

  /**
   * Colours with strong contrast to the grey background. All ten GenEval colours cost 0.02-0.05
   * OCR reward on 32-pixel renders (purple, brown and green on grey read badly); see docs/rewards.md.
   */
  private static final ColorName[] TEXT_COLORS = {ColorName.BLACK, ColorName.WHITE, ColorName.YELLOW, ColorName.BLUE, ColorName.RED};

  private final int size;

  /** A renderer for the project canvas. */
  public TextRenderer() {
    this(Canvas.SIZE);
  }

  /** A renderer for a square canvas of {@code size} pixels. */
  public TextRenderer(int size) {
    this.size = size;
  }

  /** Renders {@code text} (one line). */
  public BufferedImage render(String text, Random random) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Canvas.BACKGROUND);
    g.fillRect(0, 0, size, size);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
    int margin = Math.max(1, size / 32);
    float fontSize = largestFittingSize(g, text, size - 2 * margin);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 1).deriveFont(fontSize));
    FontMetrics metrics = g.getFontMetrics();
    int textWidth = metrics.stringWidth(text);
    int ascent = metrics.getAscent() * 3 / 4;
    int x = margin + random.nextInt(Math.max(1, size - 2 * margin - textWidth + 1));
    int y = margin + ascent + random.nextInt(Math.max(1, size - 2 * margin - ascent + 1));
    g.setColor(textColor(random));
    g.drawString(text, x, y);
    g.dispose();
    return image;
  }

  /** Largest font size (at most 60% of the canvas) whose rendering of {@code text} fits {@code width}. */
  private float largestFittingSize(Graphics2D g, String text, int width) {
    float fontSize = size * 0.6f;
    while (fontSize > 4f) {
      g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 1).deriveFont(fontSize));
      if (g.getFontMetrics().stringWidth(text) <= width) {
        return fontSize;
      }
      fontSize -= 0.5f;
    }
    return fontSize;
  }

  private static Color textColor(Random random) {
    Color base = TEXT_COLORS[random.nextInt(TEXT_COLORS.length)].renderColor();
    return new Color(jitter(base.getRed(), random), jitter(base.getGreen(), random), jitter(base.getBlue(), random));
  }

  private static int jitter(int channel, Random random) {
    return Math.max(0, Math.min(255, channel - 10 + random.nextInt(21)));
  }
}
