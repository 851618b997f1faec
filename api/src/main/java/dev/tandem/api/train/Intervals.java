package dev.tandem.api.train;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * 95% confidence intervals for experiments that run several seeds, and the rule by which a
 * comparison between two settings is stated as held. Experiments report every cell as {@link
 * Interval#format() mean [low, high]} and name the method ({@link Interval#method()}).
 *
 * <ul>
 *   <li>{@link #overSeeds}: Student's t over per-seed values (each seed is one independent run:
 *       its weights, data order and sampling). The interval for the mean over seeds; wide when
 *       seeds are few, as it should be.
 *   <li>{@link #bootstrap}: a two-level percentile bootstrap, seeds resampled, then items within
 *       each resampled seed; for metrics averaged over held-out items (exact match, NLL), it adds
 *       the test set's sampling error to the seeds'.
 *   <li>{@link #pairedDifference}: t over per-seed differences {@code a[i] - b[i]} of two settings
 *       run with the same seeds; a comparison {@link Verdict#HOLDS holds} only when this interval
 *       excludes 0.
 * </ul>
 *
 * <p>Everything here is deterministic: the bootstrap draws from its given seed, so a report is
 * byte-identical when its inputs are.
 */
public final class Intervals {
  /** t quantiles 0.975 for 1..30 degrees of freedom. */
  private static final double[] T975 = {
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
  };

  private Intervals() {}

  /**
   * A mean and its 95% interval.
   *
   * @param mean the mean
   * @param low the interval's lower end (equal to {@code mean} for one value)
   * @param high the upper end
   * @param n how many values (seeds, or seeds x items for the bootstrap)
   * @param method {@code "t"}, {@code "bootstrap"} or {@code "paired-t"}
   */
  public record Interval(double mean, double low, double high, int n, String method) {
    /** {@code 0.512 [0.470, 0.554]}, three decimals. */
    public String format() {
      return format(3);
    }

    /** As {@link #format()}, with {@code decimals} digits after the point. */
    public String format(int decimals) {
      String f = "%." + decimals + "f";
      return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", mean, low, high);
    }

    /** Whether {@code other}'s interval overlaps this one. */
    public boolean overlaps(Interval other) {
      return low <= other.high && other.low <= high;
    }
  }

  /** What the data say about {@code a - b}. */
  public enum Verdict {
    /** The interval of {@code a - b} lies above 0: a is better. */
    HOLDS,
    /** The interval lies below 0: b is better. */
    REVERSED,
    /** The interval contains 0: the runs do not tell. */
    UNRESOLVED;

    /** Of a difference's interval (higher is better). */
    public static Verdict of(Interval difference) {
      return difference.low() > 0 ? HOLDS : difference.high() < 0 ? REVERSED : UNRESOLVED;
    }

    /** Lower case, for reports. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The 0.975 quantile of Student's t with {@code df} degrees of freedom (df >= 1). */
  public static double t975(int df) {
    if (df < 1) {
      throw new IllegalArgumentException("degrees of freedom must be >= 1, not " + df);
    }
    return df <= T975.length ? T975[df - 1] : 1.96 + 2.4 / df; // within 0.002 of the true value above 30
  }

  /** The mean of per-seed values with a t interval; one value gives a zero-width interval. */
  public static Interval overSeeds(double... values) {
    return tInterval(values, "t");
  }

  /** The mean of {@code a[i] - b[i]} (runs paired by seed) with a t interval. */
  public static Interval pairedDifference(double[] a, double[] b) {
    if (a.length != b.length) {
      throw new IllegalArgumentException("paired runs need as many values on each side: " + a.length + " vs " + b.length);
    }
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i] - b[i];
    }
    return tInterval(d, "paired-t");
  }

  /**
   * A two-level percentile bootstrap of the mean over seeds of each seed's mean over items.
   *
   * @param perSeedItems {@code perSeedItems[s][i]}: item i's score in seed s's run (e.g. 1 or 0
   *     for exact match, or the item's NLL); seeds may have different item counts
   * @param resamples bootstrap resamples (e.g. 2,000)
   * @param seed the bootstrap's own seed
   */
  public static Interval bootstrap(double[][] perSeedItems, int resamples, long seed) {
    if (perSeedItems.length == 0) {
      throw new IllegalArgumentException("no seeds to bootstrap");
    }
    int n = 0;
    double[] seedMeans = new double[perSeedItems.length];
    for (int s = 0; s < perSeedItems.length; s++) {
      if (perSeedItems[s].length == 0) {
        throw new IllegalArgumentException("seed " + s + " has no items");
      }
      seedMeans[s] = mean(perSeedItems[s]);
      n += perSeedItems[s].length;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    double[] stats = new double[resamples];
    int seeds = perSeedItems.length;
    for (int r = 0; r < resamples; r++) {
      double total = 0;
      for (int k = 0; k < seeds; k++) {
        double[] items = perSeedItems[seeds == 1 ? 0 : rng.nextInt(seeds)];
        double sum = 0;
        for (int j = 0; j < items.length; j++) {
          sum += items[rng.nextInt(items.length)];
        }
        total += sum / items.length;
      }
      stats[r] = total / seeds;
    }
    Arrays.sort(stats);
    double low = stats[(int) Math.floor(0.025 * (resamples - 1))];
    double high = stats[(int) Math.ceil(0.975 * (resamples - 1))];
    return new Interval(mean(seedMeans), low, high, n, "bootstrap");
  }

  private static Interval tInterval(double[] values, String method) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values");
    }
    double m = mean(values);
    if (values.length == 1) {
      return new Interval(m, m, m, 1, method);
    }
    double ss = 0;
    for (double v : values) {
      ss += (v - m) * (v - m);
    }
    double half = t975(values.length - 1) * Math.sqrt(ss / (values.length - 1) / values.length);
    return new Interval(m, m - half, m + half, values.length, method);
  }

  private static double mean(double[] values) {
    double s = 0;
    for (double v : values) {
      s += v;
    }
    return s / values.length;
  }
}
