package dev.tandem.api.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
  @Test
  void warmupRisesLinearlyThenLinearDecayReachesZero() {
    LrSchedule s = new LrSchedule(LrSchedule.Kind.LINEAR, 1f, 4, 14);
    assertEquals(0.2f, s.at(0), 1e-6);
    assertEquals(0.8f, s.at(3), 1e-6);
    assertEquals(1f, s.at(4), 1e-6);
    assertEquals(0.5f, s.at(9), 1e-6);
    assertEquals(0f, s.at(14), 1e-6);
    for (int i = 5; i < 14; i++) {
      assertTrue(s.at(i) < s.at(i - 1));
    }
  }

  @Test
  void cosineIsHalfWayAtTheMiddleAndConstantStaysFlat() {
    LrSchedule c = new LrSchedule(LrSchedule.Kind.COSINE, 2f, 0, 100);
    assertEquals(2f, c.at(0), 1e-6);
    assertEquals(1f, c.at(50), 1e-5);
    assertEquals(0f, c.at(100), 1e-6);
    LrSchedule k = new LrSchedule(LrSchedule.Kind.CONSTANT, 3f, 0, 10);
    assertEquals(3f, k.at(9), 0);
  }

  @Test
  void unknownKindNamesTheKnownOnes() {
    var e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.Kind.parse("step"));
    assertTrue(e.getMessage().contains("constant, linear, cosine"), e.getMessage());
    assertEquals(LrSchedule.Kind.COSINE, LrSchedule.Kind.parse("Cosine"));
  }
}
