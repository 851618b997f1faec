package dev.tandem.calm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionTest {
  @Test
  void everyKthLayerEndsAtTheTopAndMapsDepthProportionally() {
    assertEquals(List.of(new Connection(0, 1, 1), new Connection(0, 3, 3)), Connection.every(2, 4, new int[] {4}));
    // a deeper augmenting model: the same relative depth
    assertEquals(List.of(new Connection(0, 3, 1), new Connection(0, 7, 3)), Connection.every(2, 4, new int[] {8}));
    // a shallower one
    assertEquals(List.of(new Connection(0, 0, 1), new Connection(0, 1, 3)), Connection.every(2, 4, new int[] {2}));
    assertEquals(4, Connection.every(1, 4, new int[] {4}).size());
    assertEquals(List.of(new Connection(0, 3, 3), new Connection(1, 1, 3)), Connection.every(4, 4, new int[] {4, 2}));
  }

  @Test
  void everyRejectsWhatGivesNoConnection() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> Connection.every(5, 4, new int[] {4})).getMessage().contains("only 4 layers"));
    assertThrows(IllegalArgumentException.class, () -> Connection.every(0, 4, new int[] {4}));
  }

  @Test
  void parsesExplicitPairsForEveryOrOneAugmentingModel() {
    assertEquals(List.of(new Connection(0, 1, 2), new Connection(1, 1, 2), new Connection(0, 3, 3), new Connection(1, 3, 3)),
        Connection.parse("1:2, 3:3", 2));
    assertEquals(List.of(new Connection(1, 0, 0)), Connection.parse("1/0:0", 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Connection.parse("1:2,x", 1));
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Connection.parse("1:2:3", 1));
    assertThrows(IllegalArgumentException.class, () -> Connection.parse(" , ", 1));
    assertThrows(IllegalArgumentException.class, () -> Connection.parse("-1:2", 1));
  }
}
