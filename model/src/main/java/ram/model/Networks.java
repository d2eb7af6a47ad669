package ram.model;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Creates velocity networks by the architecture names that configs and checkpoints record. */
public final class Networks {

  private static final Map<String, Supplier<VelocityNetwork>> FACTORIES = new TreeMap<>();

  static {
    FACTORIES.put(ToyVelocityMlp.ARCHITECTURE, ToyVelocityMlp::new);
    FACTORIES.put(DitVelocityNetwork.BASE.architecture(), () -> new DitVelocityNetwork(DitVelocityNetwork.BASE));
    FACTORIES.put(DitVelocityNetwork.BASE_PIXEL_HEAD.architecture(), () -> new DitVelocityNetwork(DitVelocityNetwork.BASE_PIXEL_HEAD));
    FACTORIES.put(DitVelocityNetwork.BASE_WORD_BAGS.architecture(), () -> new DitVelocityNetwork(DitVelocityNetwork.BASE_WORD_BAGS));
    FACTORIES.put(DitVelocityNetwork.SMALL.architecture(), () -> new DitVelocityNetwork(DitVelocityNetwork.SMALL));
    FACTORIES.put(DitVelocityNetwork.SMALL_WORD_IDS.architecture(), () -> new DitVelocityNetwork(DitVelocityNetwork.SMALL_WORD_IDS));
    FACTORIES.put(UNetVelocityNetwork.BASE.architecture(), () -> new UNetVelocityNetwork(UNetVelocityNetwork.BASE));
    FACTORIES.put(UNetVelocityNetwork.BASE_SLOTS.architecture(), () -> new UNetVelocityNetwork(UNetVelocityNetwork.BASE_SLOTS));
    FACTORIES.put(UNetVelocityNetwork.BASE_LETTERS.architecture(), () -> new UNetVelocityNetwork(UNetVelocityNetwork.BASE_LETTERS));
    FACTORIES.put(UNetVelocityNetwork.SMALL.architecture(), () -> new UNetVelocityNetwork(UNetVelocityNetwork.SMALL));
    FACTORIES.put(DitVelocityNetwork.SMALL_PIXEL_HEAD.architecture(), () -> new DitVelocityNetwork(DitVelocityNetwork.SMALL_PIXEL_HEAD));
  }

  private Networks() {}

  /** The named network, or an error that lists the known architectures. */
  public static VelocityNetwork create(String architecture) {
    Supplier<VelocityNetwork> f = FACTORIES.get(architecture);
    if (f == null) {
      throw new IllegalArgumentException("unknown model architecture '" + architecture + "'; known: " + FACTORIES.keySet());
    }
    return f.get();
  }

  public static java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(FACTORIES.keySet());
  }
}
