package dev.tandem.calm.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.data.DataRecord;
import dev.tandem.api.data.JsonlDataset;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvArithmeticTest {
  @TempDir Path dir;

  private final KvArithmetic kv = new KvArithmetic(KvArithmetic.Settings.of(100, 3, 7));

  @Test
  void keysSplitTwentyEightyWithEveryValueOnBothSides() {
    assertEquals(100, kv.keys().size());
    assertEquals(20, kv.composeKeys().size());
    assertEquals(80, kv.heldOutKeys().size());
    Set<String> both = new HashSet<>(kv.composeKeys());
    both.retainAll(kv.heldOutKeys());
    assertTrue(both.isEmpty());
    for (List<String> side : List.of(kv.composeKeys(), kv.heldOutKeys())) {
      assertEquals(10, side.stream().map(kv.values()::get).distinct().count());
    }
    assertTrue(kv.keys().stream().allMatch(k -> k.matches("[a-z]{3}")));
    assertEquals(kv.values(), new KvArithmetic(KvArithmetic.Settings.of(100, 3, 7)).values(), "deterministic");
  }

  @Test
  void heldOutKeysSplitIntoValidationAndTest() {
    assertEquals(20, kv.validationKeys().size());
    assertEquals(60, kv.testKeys().size());
    Set<String> both = new HashSet<>(kv.validationKeys());
    both.retainAll(kv.testKeys());
    assertTrue(both.isEmpty());
    assertEquals(kv.heldOutKeys(), java.util.stream.Stream.concat(kv.validationKeys().stream(), kv.testKeys().stream()).toList());
    assertThrows(IllegalArgumentException.class, () -> new KvArithmetic(KvArithmetic.Settings.of(20, 2, 1)).testKeys(), "10 held out: nothing left to test");
  }

  @Test
  void mBsTrainingWithoutDistractorsHasOnlyItsTasksAndOtherwiseTheSameExamples() {
    List<KvArithmetic.Item> with = kv.numericTraining(300, 5, true);
    List<KvArithmetic.Item> without = kv.numericTraining(300, 5, false);
    int differ = 0;
    for (int i = 0; i < with.size(); i++) {
      assertTrue(without.get(i).prompt().matches("(sum|val) [0-9+-]+"), without.get(i).toString());
      if (!with.get(i).equals(without.get(i))) {
        differ++;
        assertTrue(with.get(i).prompt().matches("sum [a-z+-]+") && with.get(i).completion().equals(without.get(i).completion()), with.get(i) + " / " + without.get(i));
      }
    }
    assertTrue(differ > 40 && differ < 110, "about a quarter: " + differ);
  }

  @Test
  void tasksAreConsistentWithTheMapping() {
    Pattern term = Pattern.compile("([+-]?)([a-z]+)");
    for (KvArithmetic.Item it : kv.kvArithmetic(200, kv.heldOutKeys(), 1)) {
      assertTrue(it.prompt().startsWith(KvArithmetic.EVALUATE), it.toString());
      String expr = it.prompt().substring(KvArithmetic.EVALUATE.length());
      Matcher m = term.matcher(expr);
      StringBuilder digits = new StringBuilder();
      int sum = 0;
      int n = 0;
      while (m.find()) {
        assertTrue(kv.heldOutKeys().contains(m.group(2)), "held-out keys only: " + it);
        int v = kv.values().get(m.group(2));
        sum += m.group(1).equals("-") ? -v : v;
        digits.append(m.group(1)).append(v);
        n++;
      }
      assertTrue(n >= 2 && n <= 3, it.toString());
      assertEquals(digits + "=" + sum, it.completion());
    }
    for (KvArithmetic.Item it : kv.substitution(50, kv.keys(), 2)) {
      assertTrue(it.prompt().matches("val [a-z]{3}([+-][a-z]{3}){2}"), it.toString());
      assertTrue(it.completion().matches("[0-9]([+-][0-9]){2}"), it.toString());
    }
    for (KvArithmetic.Item it : kv.numeric(50, 3)) {
      assertTrue(it.prompt().matches("sum [0-9]([+-][0-9]){2}"), it.toString());
      assertEquals(it.prompt().substring(4), it.completion().substring(0, it.completion().indexOf('=')), it.toString());
    }
    // m_A's training: numbers stand for themselves now and then
    long mixed = kv.substitutionTraining(200, 4).stream().filter(it -> it.prompt().matches(".*[0-9].*")).count();
    assertTrue(mixed > 50 && mixed < 150, "about 1 - 0.8^3 of the expressions have a digit: " + mixed);
    // m_B's training: every answer is an expression with its correct value, or a restatement
    Pattern answer = Pattern.compile("([0-9](?:[+-][0-9]){2})(?:=(-?[0-9]+))?");
    for (KvArithmetic.Item it : kv.numericTraining(300, 5)) {
      Matcher m = answer.matcher(it.completion());
      assertTrue(m.matches(), it.toString());
      if (m.group(2) != null) {
        assertEquals(eval(m.group(1)), Integer.parseInt(m.group(2)), it.toString());
      } else {
        assertEquals("val " + m.group(1), it.prompt());
      }
      assertTrue(it.prompt().startsWith("sum ") || it.prompt().startsWith("val "), it.toString());
    }
    assertEquals(kv.numeric(20, 3), kv.numeric(20, 3));
  }

  private static int eval(String expr) {
    int r = expr.charAt(0) - '0';
    for (int i = 1; i < expr.length(); i += 2) {
      int d = expr.charAt(i + 1) - '0';
      r += expr.charAt(i) == '+' ? d : -d;
    }
    return r;
  }

  @Test
  void writesPromptCompletionJsonl() throws Exception {
    Path f = KvArithmetic.write(dir.resolve("d/x.jsonl"), kv.substitution(5, kv.keys(), 1));
    List<DataRecord> records = JsonlDataset.read(f);
    assertEquals(5, records.size());
    assertTrue(records.get(0) instanceof DataRecord.PromptCompletion);
  }

  @Test
  void rejectsImpossibleSettings() {
    assertThrows(IllegalArgumentException.class, () -> KvArithmetic.Settings.of(5, 2, 1));
    assertThrows(IllegalArgumentException.class, () -> new KvArithmetic.Settings(100, 3, 2, 3, 1.0, 1));
    assertThrows(IllegalArgumentException.class, () -> new KvArithmetic(new KvArithmetic.Settings(400, 2, 2, 3, 0.2, 1)));
  }
}
