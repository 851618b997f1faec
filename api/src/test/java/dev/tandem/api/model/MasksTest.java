package dev.tandem.api.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MasksTest {
  @Test
  void causalBlocksTheFuture() {
    float x = Masks.BLOCKED;
    assertArrayEquals(new float[] {0, x, x, 0, 0, x, 0, 0, 0}, Masks.causal(3).floats());
  }

  @Test
  void paddingKeysAreBlockedForEveryQuery() {
    var m = Masks.causalWithPadding(new boolean[][] {{true, false, false}});
    float x = Masks.BLOCKED;
    assertEquals(dev.tandem.api.tensor.Shape.of(1, 1, 3, 3), m.shape());
    assertArrayEquals(new float[] {x, x, x, x, 0, x, x, 0, 0}, m.floats());
  }
}
