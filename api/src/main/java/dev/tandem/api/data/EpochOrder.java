package dev.tandem.api.data;

import java.util.Random;

/**
 * The order examples are visited in during an epoch: a deterministic function of (seed, epoch), so
 * a run resumed at step {@code s} recomputes exactly the order it was interrupted in.
 */
public final class EpochOrder {
  private EpochOrder() {}

  /**
   * A permutation of {@code 0..n-1}: Fisher-Yates driven by {@code new Random(seed * 1_000_003 +
   * epoch)}. The same arguments always give the same permutation, on every JVM ({@link Random}'s
   * algorithm is specified).
   */
  public static int[] shuffled(int n, long seed, int epoch) {
    int[] order = sequential(n);
    Random random = new Random(seed * 1_000_003L + epoch);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** {@code 0, 1, ..., n-1}: for evaluation, where order does not matter. */
  public static int[] sequential(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, not " + n);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }
}
