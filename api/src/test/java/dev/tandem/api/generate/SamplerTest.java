package dev.tandem.api.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
  private static final float[] LOGITS = {0f, 3f, 1f, 2.9f, -5f};

  @Test
  void greedyTakesTheArgmax() {
    assertEquals(1, new Sampler(SamplingConfig.greedy(1)).sample(LOGITS, 0, 5));
    assertEquals(1, Sampler.argmax(new float[] {9, 0, 5, 1, 5}, 1, 4));
  }

  @Test
  void topKOneIsGreedyWhateverTheTemperature() {
    Sampler s = new Sampler(new SamplingConfig(1, 5f, 1, 1f, 7));
    for (int i = 0; i < 50; i++) {
      assertEquals(1, s.sample(LOGITS, 0, 5));
    }
  }

  @Test
  void topPKeepsOnlyTheNucleus() {
    // p(1) and p(3) together hold about 0.9 of the mass at temperature 1; top-p 0.5 keeps 1 and 3 only
    Sampler s = new Sampler(new SamplingConfig(1, 1f, 0, 0.5f, 3));
    int[] counts = new int[5];
    for (int i = 0; i < 2000; i++) {
      counts[s.sample(LOGITS, 0, 5)]++;
    }
    assertEquals(0, counts[0] + counts[2] + counts[4]);
    assertTrue(counts[1] > 0 && counts[3] > 0);
  }

  @Test
  void samplingFollowsTheSoftmaxAndIsSeeded() {
    Sampler a = new Sampler(new SamplingConfig(1, 1f, 0, 1f, 11));
    Sampler b = new Sampler(new SamplingConfig(1, 1f, 0, 1f, 11));
    int[] counts = new int[5];
    for (int i = 0; i < 20000; i++) {
      int x = a.sample(LOGITS, 0, 5);
      assertEquals(x, b.sample(LOGITS, 0, 5));
      counts[x]++;
    }
    double z = 0;
    for (float l : LOGITS) {
      z += Math.exp(l);
    }
    assertEquals(Math.exp(3) / z, counts[1] / 20000.0, 0.02);
    assertEquals(Math.exp(1) / z, counts[2] / 20000.0, 0.02);
  }

  @Test
  void badConfigIsRejectedWithTheFlagName() {
    var e = assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(1, 1f, 0, 0f, 0));
    assertTrue(e.getMessage().contains("top-p"));
    assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(0, 1f, 0, 1f, 0));
    assertThrows(IllegalArgumentException.class, () -> new SamplingConfig(1, -1f, 0, 1f, 0));
  }
}
