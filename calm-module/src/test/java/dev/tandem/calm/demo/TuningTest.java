package dev.tandem.calm.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TuningTest {
  private static SeedRun.Tried tried(float lr, Double... v) {
    List<Long> steps = new java.util.ArrayList<>();
    for (int i = 0; i < v.length; i++) {
      steps.add(250L * (i + 1));
    }
    return new SeedRun.Tried(lr, steps, List.of(v));
  }

  @Test
  void keepsTheBestValidationPointWithTiesToTheDefaultRateAndTheLaterStep() {
    // the best overall wins, whatever its rate and step
    assertArrayEquals(new int[] {1, 1}, SeedRun.best(List.of(tried(3e-3f, 0.2, 0.5, 0.4), tried(1e-3f, 0.1, 0.6, 0.3))));
    // a tie across rates: the earlier rate (the default is listed first)
    assertArrayEquals(new int[] {0, 2}, SeedRun.best(List.of(tried(3e-3f, 0.1, 0.2, 0.6), tried(1e-3f, 0.6, 0.6, 0.6))));
    // a tie within a rate: the later step, so a flat curve keeps the finished schedule
    assertArrayEquals(new int[] {0, 3}, SeedRun.best(List.of(tried(3e-3f, 0.0, 0.0, 0.0, 0.0))));
    // an earlier step only when strictly better
    assertArrayEquals(new int[] {0, 0}, SeedRun.best(List.of(tried(3e-3f, 0.7, 0.6, 0.65))));
    assertThrows(IllegalStateException.class, () -> SeedRun.best(List.of()));
  }

  @Test
  void theGridMultipliesEachDefaultAndLaterSeedsUseTheChosenRate() {
    Tuning t = new Tuning("1, 0.3,3");
    assertEquals(List.of(3e-3f, 9e-4f, 9e-3f), t.rates("calm", 3e-3f));
    assertEquals(List.of(1e-3f, 3e-4f, 3e-3f), t.rates("full_finetune", 1e-3f));
    t.choose("calm", 9e-4f);
    t.choose("calm", 3e-3f); // the first choice (the first seed's) stays
    assertEquals(List.of(9e-4f), t.rates("calm", 3e-3f));
    assertEquals("0.0009", Tuning.format(9e-4f));
    assertEquals("0.001", Tuning.format(3e-3f * (1f / 3)));
    assertEquals(List.of(2e-3f), new Tuning("1").rates("lora", 2e-3f));
  }

  @Test
  void badFactorsAreClearErrors() {
    for (String bad : List.of("1,x", "0", "-1", "1,1", "")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Tuning(bad), bad);
      assertTrue(e.getMessage().startsWith("lr-factors"), e.getMessage());
    }
  }
}
