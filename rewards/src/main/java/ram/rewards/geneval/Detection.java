package ram.rewards.geneval;

/**
 * One detected object, in the form any detector can produce: a class, a box in pixels
 * ({@code x1 <= x2}, {@code y1 <= y2}, y grows downwards), a colour name (or null when the
 * detector does not name colours) and a confidence in [0, 1].
 */
public record Detection(String className, double x1, double y1, double x2, double y2, String color, double confidence) {

  public double centerX() {
    return (x1 + x2) / 2;
  }

  public double centerY() {
    return (y1 + y2) / 2;
  }

  public double width() {
    return Math.abs(x2 - x1);
  }

  public double height() {
    return Math.abs(y2 - y1);
  }
}
