package ram.model;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Creates velocity networks by the architecture names that configs and checkpoints record: the toy,
 * the image networks of the base's pretraining chain (DiT without and with word identities, U-Net
 * without and with letter attention) and one small U-Net for fast tests.
 */
public final class Networks {

  private static final Map<String, Supplier<VelocityNetwork>> FACTORIES = new TreeMap<>();

  static {
    FACTORIES.put(ToyVelocityMlp.ARCHITECTURE, ToyVelocityMlp::new);
    for (DitVelocityNetwork.Config c : new DitVelocityNetwork.Config[] {DitVelocityNetwork.BASE_WORD_BAGS, DitVelocityNetwork.BASE}) {
      FACTORIES.put(c.architecture(), () -> new DitVelocityNetwork(c));
    }
    for (UNetVelocityNetwork.Config c : new UNetVelocityNetwork.Config[] {UNetVelocityNetwork.BASE, UNetVelocityNetwork.BASE_LETTERS,
        UNetVelocityNetwork.SMALL}) {
      FACTORIES.put(c.architecture(), () -> new UNetVelocityNetwork(c));
    }
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

  /** Every architecture name this registry knows. */
  public static java.util.Set<String> names() {
    return java.util.Collections.unmodifiableSet(FACTORIES.keySet());
  }
}
