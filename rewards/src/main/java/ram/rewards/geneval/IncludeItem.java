package ram.rewards.geneval;

/**
 * One GenEval {@code include} clause: {@code count} objects of {@code className}, optionally of a
 * colour, optionally placed relative to the objects of an earlier include item.
 *
 * @param className the object class
 * @param count how many objects, at least 1
 * @param color required colour name, or null
 * @param relation required relation ("left of", "right of", "above", "below"), or null
 * @param relativeTo index of the earlier include item the relation refers to, or -1
 */
public record IncludeItem(String className, int count, String color, String relation, int relativeTo) {

  /** An item without colour or position. */
  public static IncludeItem of(String className, int count) {
    return new IncludeItem(className, count, null, null, -1);
  }

  /** An item with a colour. */
  public static IncludeItem colored(String className, int count, String color) {
    return new IncludeItem(className, count, color, null, -1);
  }

  /** An item placed relative to include item {@code index}. */
  public static IncludeItem placed(String className, int count, String relation, int index) {
    return new IncludeItem(className, count, null, relation, index);
  }

  public boolean hasPosition() {
    return relation != null;
  }
}
