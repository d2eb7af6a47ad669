package ram.rewards.geneval;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import ram.rewards.image.Canvas;

/**
 * Draws a ground-truth image for any shapes-world GenEval prompt: the objects each include item
 * asks for, with random sizes, positions and small colour jitter, never
 * overlapping, and positioned items placed clearly on the required side of their targets. Shapes
 * are upright (no rotation): at 32 pixels a rotated square is hard to tell from a circle.
 *
 * <p>Objects without a required colour get a random one of the ten. Wrong renders for validity
 * tests come from rendering a deliberately altered prompt.
 */
public final class ShapeRenderer {

  private static final int MAX_ATTEMPTS = 200;
  private final int size;

  /** A renderer for the project canvas. */
  public ShapeRenderer() {
    this(Canvas.SIZE);
  }

  /** A renderer for a square canvas of {@code size} pixels (for canvas-size experiments). */
  public ShapeRenderer(int size) {
    this.size = size;
  }

  /** One object to draw: class, colour, centre and size in pixels. */
  record Placed(ShapeClass shape, Color color, double cx, double cy, double extent) {
    Detection box() {
      return new Detection(shape.word(), cx - extent / 2, cy - extent / 2, cx + extent / 2, cy + extent / 2, null, 1);
    }
  }

  /**
   * Renders the prompt.
   *
   * @throws IllegalArgumentException if a class is not a shapes-world class
   */
  public BufferedImage render(GenEvalPrompt prompt, Random random) {
    BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Canvas.BACKGROUND);
    g.fillRect(0, 0, size, size);
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    for (Placed p : layout(prompt, random)) {
      g.setColor(p.color);
      g.fill(outline(p));
    }
    g.dispose();
    return image;
  }

  /**
   * Chooses every object's place. Objects span about 40% of the canvas when there are one or two
   * of them and about 33% when there are three or four; a crowded layout is retried from scratch.
   */
  List<Placed> layout(GenEvalPrompt prompt, Random random) {
    int total = prompt.include().stream().mapToInt(IncludeItem::count).sum();
    double scale = total <= 2 ? 0.40 : 0.33;
    for (int round = 0; round < 200; round++) {
      List<Placed> placed = tryLayout(prompt, random, scale);
      if (placed != null) {
        return placed;
      }
    }
    throw new IllegalArgumentException("cannot lay out " + total + " objects on the canvas: " + prompt.prompt());
  }

  private List<Placed> tryLayout(GenEvalPrompt prompt, Random random, double scale) {
    List<Placed> placed = new ArrayList<>();
    List<List<Placed>> groups = new ArrayList<>();
    for (IncludeItem item : prompt.include()) {
      ShapeClass shape = ShapeClass.byWord(item.className());
      if (shape == null) {
        throw new IllegalArgumentException("the shapes world has no class '" + item.className() + "'");
      }
      List<Placed> group = new ArrayList<>();
      for (int k = 0; k < item.count(); k++) {
        Placed p = placeOne(shape, colorFor(item, random), item, groups, placed, random, scale);
        if (p == null) {
          return null;
        }
        placed.add(p);
        group.add(p);
      }
      groups.add(group);
    }
    return placed;
  }

  private Placed placeOne(ShapeClass shape, Color color, IncludeItem item, List<List<Placed>> groups, List<Placed> placed, Random random, double scale) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      double extent = size * scale * (0.9 + 0.2 * random.nextDouble());
      double half = extent / 2 + 0.5;
      double cx = half + random.nextDouble() * (size - 2 * half);
      double cy = half + random.nextDouble() * (size - 2 * half);
      Placed candidate = new Placed(shape, color, cx, cy, extent);
      if (overlaps(candidate, placed)) {
        continue;
      }
      if (item.hasPosition() && !clearlyPlaced(candidate, groups.get(item.relativeTo()), item.relation())) {
        continue;
      }
      return candidate;
    }
    return null;
  }

  private boolean overlaps(Placed candidate, List<Placed> placed) {
    double gap = Math.max(2.0, size / 16.0);
    for (Placed p : placed) {
      double minDist = (candidate.extent + p.extent) / 2 + gap;
      if (Math.abs(candidate.cx - p.cx) < minDist && Math.abs(candidate.cy - p.cy) < minDist) {
        return true;
      }
    }
    return false;
  }

  /** The relation holds for every target, and the offset runs mostly along the relation's axis. */
  private static boolean clearlyPlaced(Placed candidate, List<Placed> targets, String relation) {
    for (Placed t : targets) {
      if (!Relations.of(candidate.box(), t.box()).equals(java.util.Set.of(relation))) {
        return false;
      }
      double along = relation.equals(Relations.ABOVE) || relation.equals(Relations.BELOW) ? candidate.cy - t.cy : candidate.cx - t.cx;
      double across = relation.equals(Relations.ABOVE) || relation.equals(Relations.BELOW) ? candidate.cx - t.cx : candidate.cy - t.cy;
      if (Math.abs(across) > 0.5 * Math.abs(along)) {
        return false;
      }
    }
    return true;
  }

  private static Color colorFor(IncludeItem item, Random random) {
    ColorName name = item.color() != null ? ColorName.byWord(item.color()) : ColorName.values()[random.nextInt(ColorName.values().length)];
    Color base = name.renderColor();
    return new Color(jitter(base.getRed(), random), jitter(base.getGreen(), random), jitter(base.getBlue(), random));
  }

  private static int jitter(int channel, Random random) {
    return Math.max(0, Math.min(255, channel - 10 + random.nextInt(21)));
  }

  /** The outline of a placed object, in canvas pixels. */
  static Shape outline(Placed p) {
    Shape unit = unitShape(p.shape);
    AffineTransform t = new AffineTransform();
    t.translate(p.cx, p.cy);
    t.scale(p.extent / 2, p.extent / 2);
    return t.createTransformedShape(unit);
  }

  /** The class's outline inside the square [-1, 1] x [-1, 1]. */
  private static Shape unitShape(ShapeClass shape) {
    switch (shape) {
      case CIRCLE:
        return new Ellipse2D.Double(-1, -1, 2, 2);
      case SQUARE:
        return new Rectangle2D.Double(-0.85, -0.85, 1.7, 1.7);
      case TRIANGLE:
        return polygon(new double[] {0, 1, -1}, new double[] {-0.95, 0.8, 0.8});
      case STAR:
        return star(1.08, 0.48);
      case CROSS:
        return cross(0.36);
      default:
        throw new IllegalArgumentException("no outline for " + shape);
    }
  }

  private static Shape star(double outer, double inner) {
    double[] xs = new double[10];
    double[] ys = new double[10];
    for (int i = 0; i < 10; i++) {
      double r = i % 2 == 0 ? outer : inner;
      double a = -Math.PI / 2 + i * Math.PI / 5;
      xs[i] = r * Math.cos(a);
      ys[i] = r * Math.sin(a) + 0.1;
    }
    return polygon(xs, ys);
  }

  private static Shape cross(double halfArm) {
    double a = halfArm;
    return polygon(new double[] {-a, a, a, 1, 1, a, a, -a, -a, -1, -1, -a}, new double[] {-1, -1, -a, -a, a, a, 1, 1, a, a, -a, -a});
  }

  private static Shape polygon(double[] xs, double[] ys) {
    Path2D.Double path = new Path2D.Double();
    path.moveTo(xs[0], ys[0]);
    for (int i = 1; i < xs.length; i++) {
      path.lineTo(xs[i], ys[i]);
    }
    path.closePath();
    return path;
  }
}
