package ram.model;

import java.util.SplittableRandom;

/**
 * Deterministic random numbers drawn on the Java side, so that samples, re-noisings and times are
 * the same on every engine, device, runner and batch composition for the same seed.
 */
public final class Noise {

  private Noise() {}

  /** {@code n} standard normal values (Box-Muller on a SplittableRandom; StrictMath for portability). */
  public static float[] gaussian(long seed, int n) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i += 2) {
      double u1 = 1.0 - random.nextDouble(); // (0, 1]
      double u2 = random.nextDouble();
      double radius = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
      out[i] = (float) (radius * StrictMath.cos(2 * StrictMath.PI * u2));
      if (i + 1 < n) {
        out[i + 1] = (float) (radius * StrictMath.sin(2 * StrictMath.PI * u2));
      }
    }
    return out;
  }

  /** A uniform value in [0, 1) for a seed. */
  public static double uniform(long seed) {
    return new SplittableRandom(seed).nextDouble();
  }

  /** Mixes several numbers into one well-spread seed (order matters). */
  public static long seed(long... parts) {
    long h = 0x9E3779B97F4A7C15L;
    for (long p : parts) {
      h = mix(h ^ mix(p + 0x632BE59BD9B4E019L));
    }
    return h;
  }

  /** Seed of a string id, mixed with numbers. */
  public static long seed(String id, long... parts) {
    long h = 1125899906842597L;
    for (int i = 0; i < id.length(); i++) {
      h = 31 * h + id.charAt(i);
    }
    long[] all = new long[parts.length + 1];
    all[0] = h;
    System.arraycopy(parts, 0, all, 1, parts.length);
    return seed(all);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
