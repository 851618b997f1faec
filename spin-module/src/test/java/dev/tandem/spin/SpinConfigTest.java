package dev.tandem.spin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.api.train.LrSchedule;
import org.junit.jupiter.api.Test;

class SpinConfigTest {
  @Test
  void defaultsAreThePapers() {
    SpinConfig c = SpinConfig.defaults();
    assertEquals(4, c.iterations());
    assertEquals(2, c.epochsPerIteration());
    assertEquals(0.1f, c.objective().beta());
    assertEquals("rmsprop", c.optimizer().name());
    assertEquals(LrSchedule.Kind.LINEAR, c.training().schedule());
    assertEquals(0.1f, c.training().warmupRatio());
    assertEquals(5e-7f, c.training().learningRate());
    assertEquals(1.0f, c.temperature());
    assertEquals(1.0f, c.topP());
    assertEquals(true, c.mixPrevious());
  }

  @Test
  void rejectsWhatCannotRun() {
    SpinConfig c = SpinConfig.defaults();
    assertThrows(IllegalArgumentException.class, () -> c.withIterations(0));
    assertThrows(IllegalArgumentException.class, () -> c.withTraining(c.training().withMaxSteps(10)));
    assertThrows(IllegalArgumentException.class, () -> c.withSampling(8, -1f, 1f));
    assertThrows(IllegalArgumentException.class, () -> c.withSampling(8, 1f, 0f));
    assertThrows(IllegalArgumentException.class, () -> c.withPairsPerBatch(0));
  }
}
