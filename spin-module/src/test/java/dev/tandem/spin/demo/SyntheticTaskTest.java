package dev.tandem.spin.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticTaskTest {
  @Test
  void additionIsDeterministicCorrectAndHeldOutIsDisjoint() {
    SyntheticTask.Split a = SyntheticTask.ADDITION.generate(7, 300, 100);
    SyntheticTask.Split b = SyntheticTask.ADDITION.generate(7, 300, 100);
    assertEquals(300, a.train().size());
    assertEquals(100, a.heldOut().size());
    for (int i = 0; i < 300; i++) {
      assertEquals(List.of(a.train().get(i)), List.of(b.train().get(i)));
    }
    Set<String> train = new HashSet<>();
    for (String[] row : a.train()) {
      String[] ab = row[0].substring(0, row[0].length() - 1).split("\\+");
      assertEquals(Integer.parseInt(ab[0]) + Integer.parseInt(ab[1]), Integer.parseInt(row[1]), row[0]);
      assertTrue(row[0].endsWith("="));
      train.add(row[0]);
    }
    for (String[] row : a.heldOut()) {
      assertTrue(!train.contains(row[0]), "held-out prompt " + row[0] + " is also a training prompt");
    }
    assertNotEquals(a.train().get(0)[0], SyntheticTask.ADDITION.generate(8, 1, 0).train().get(0)[0] + "x");
  }

  @Test
  void reversalReverses() {
    for (String[] row : SyntheticTask.REVERSAL.generate(1, 50, 0).train()) {
      String s = row[0].substring("reverse: ".length());
      assertEquals(new StringBuilder(s).reverse().toString(), row[1]);
      assertTrue(s.length() >= 4 && s.length() <= 6);
    }
    assertEquals(SyntheticTask.REVERSAL, SyntheticTask.parse("Reversal"));
  }
}
