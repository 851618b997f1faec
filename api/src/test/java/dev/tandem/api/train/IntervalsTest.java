package dev.tandem.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.train.Intervals.Interval;
import dev.tandem.api.train.Intervals.Verdict;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IntervalsTest {
  @Test
  void tIntervalMatchesTheTextbook() {
    // mean 2, sample sd 1, n 3: half width t(2) * 1 / sqrt(3) = 4.303 / 1.732
    Interval i = Intervals.overSeeds(1, 2, 3);
    assertEquals(2.0, i.mean(), 1e-12);
    assertEquals(4.303 / Math.sqrt(3), i.high() - i.mean(), 1e-9);
    assertEquals("2.000 [-0.484, 4.484]", i.format());
    assertEquals(1, Intervals.overSeeds(0.5).n());
    assertEquals(0.5, Intervals.overSeeds(0.5).low());
  }

  @Test
  void tQuantilesApproachTheNormal() {
    assertEquals(2.042, Intervals.t975(30), 1e-9);
    assertEquals(2.021, Intervals.t975(40), 0.002);
    assertEquals(1.984, Intervals.t975(100), 0.002);
    assertThrows(IllegalArgumentException.class, () -> Intervals.t975(0));
  }

  @Test
  void t95CoversTheTrueMeanAboutNinetyFivePercentOfTheTime() {
    SplittableRandom rng = new SplittableRandom(7);
    int covered = 0;
    int trials = 4000;
    for (int t = 0; t < trials; t++) {
      double[] v = new double[4];
      for (int i = 0; i < v.length; i++) {
        v[i] = 10 + gaussian(rng);
      }
      Interval in = Intervals.overSeeds(v);
      if (in.low() <= 10 && 10 <= in.high()) {
        covered++;
      }
    }
    double rate = covered / (double) trials;
    assertTrue(rate > 0.93 && rate < 0.97, "coverage " + rate);
  }

  @Test
  void bootstrapCoversABernoulliMeanAndIsDeterministic() {
    SplittableRandom rng = new SplittableRandom(3);
    int covered = 0;
    int trials = 300;
    for (int t = 0; t < trials; t++) {
      double[][] items = new double[3][200];
      for (double[] seed : items) {
        for (int i = 0; i < seed.length; i++) {
          seed[i] = rng.nextDouble() < 0.3 ? 1 : 0;
        }
      }
      Interval in = Intervals.bootstrap(items, 1000, t);
      if (in.low() <= 0.3 && 0.3 <= in.high()) {
        covered++;
      }
      if (t == 0) {
        assertEquals(in, Intervals.bootstrap(items, 1000, t));
        assertEquals(600, in.n());
      }
    }
    double rate = covered / (double) trials;
    assertTrue(rate > 0.88 && rate < 0.99, "coverage " + rate);
  }

  @Test
  void aComparisonHoldsOnlyWhenThePairedIntervalExcludesZero() {
    double[] a = {0.60, 0.62, 0.61};
    double[] b = {0.50, 0.53, 0.51};
    assertEquals(Verdict.HOLDS, Verdict.of(Intervals.pairedDifference(a, b)));
    assertEquals(Verdict.REVERSED, Verdict.of(Intervals.pairedDifference(b, a)));
    assertEquals(Verdict.UNRESOLVED, Verdict.of(Intervals.pairedDifference(new double[] {0.6, 0.4, 0.5}, new double[] {0.5, 0.5, 0.5})));
    assertThrows(IllegalArgumentException.class, () -> Intervals.pairedDifference(a, new double[] {1}));
  }

  private static double gaussian(SplittableRandom rng) {
    return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  }
}
