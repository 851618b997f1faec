package dev.tandem.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tokenizer.ByteTokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreferenceBatcherTest {
  static final int PAD = 257;

  static PreferencePair pair(int[] prompt, int[] chosen, int[] rejected, float refC, float refR) {
    return PreferencePair.of(Example.of(prompt, chosen, "c"), Example.of(prompt, rejected, "r")).withReference(refC, refR);
  }

  @Test
  void chosenRowsThenRejectedRowsPaddedToOneBucketWithReferences() {
    PreferenceBatcher batcher = new PreferenceBatcher(3, new int[] {4, 8}, PAD);
    // chosen fits 4 inputs, rejected needs 6: both halves are padded to 8
    PreferencePair a = pair(new int[] {1, 2}, new int[] {3, 4}, new int[] {5, 6, 7, 8, 9}, -1f, -2f);
    PreferencePair b = pair(new int[] {1}, new int[] {3}, new int[] {4}, -3f, -4f);
    List<HostTensor> t = batcher.batch(List.of(a, b));
    assertEquals(4, t.size());
    assertArrayEquals(new int[] {6, 8}, t.get(0).shape().dims());
    int[] ids = t.get(0).ints();
    assertArrayEquals(new int[] {1, 2, 3, PAD, PAD, PAD, PAD, PAD}, java.util.Arrays.copyOfRange(ids, 0, 8));
    assertArrayEquals(new int[] {1, 2, 5, 6, 7, 8, PAD, PAD}, java.util.Arrays.copyOfRange(ids, 24, 32));
    float[] mask = t.get(2).floats();
    // chosen row 0: targets 3, 4 at positions 1, 2; padding rows 2 and 5 are all zero
    assertArrayEquals(new float[] {0, 1, 1, 0, 0, 0, 0, 0}, java.util.Arrays.copyOfRange(mask, 0, 8));
    assertArrayEquals(new float[8], java.util.Arrays.copyOfRange(mask, 16, 24));
    assertArrayEquals(new float[] {0, 1, 1, 1, 1, 1, 0, 0}, java.util.Arrays.copyOfRange(mask, 24, 32));
    assertArrayEquals(new float[8], java.util.Arrays.copyOfRange(mask, 40, 48));
    assertArrayEquals(new float[] {-1, -3, 0, -2, -4, 0}, t.get(3).floats());
  }

  @Test
  void pairsWithoutReferencesOrTooLongAreRejectedByName() {
    PreferenceBatcher batcher = new PreferenceBatcher(2, new int[] {4}, PAD);
    PreferencePair noRef = PreferencePair.of(Example.of(new int[] {1}, new int[] {2}, "f:1"), Example.of(new int[] {1}, new int[] {3}, "f:1"));
    assertTrue(assertThrows(IllegalStateException.class, () -> batcher.batch(List.of(noRef))).getMessage().startsWith("f:1: "));
    PreferencePair tooLong = pair(new int[] {1}, new int[] {2}, new int[] {3, 4, 5, 6, 7}, 0, 0);
    DataFormatException e = assertThrows(DataFormatException.class, () -> batcher.batch(List.of(tooLong)));
    assertEquals("c", e.source());
  }

  @Test
  void pairsNeedTheSamePromptAndNonEmptyCompletions() {
    Example a = Example.of(new int[] {1, 2}, new int[] {3}, "f:2");
    Example b = Example.of(new int[] {1, 9}, new int[] {3}, "f:2");
    assertTrue(assertThrows(DataFormatException.class, () -> PreferencePair.of(a, b)).getMessage().startsWith("f:2: "));
    Example empty = Example.of(new int[] {1, 2}, new int[0], "f:3");
    assertThrows(DataFormatException.class, () -> PreferencePair.of(a, empty));
  }

  @Test
  void recordsBecomePairsAndLongOnesAreSkippedAndCounted() {
    PromptTemplate template = new PromptTemplate(new ByteTokenizer());
    List<DataRecord> records =
        List.of(
            new DataRecord.Preference("hi", "yes", "no", "p.jsonl:1"),
            new DataRecord.Preference("hi", "yes", "x".repeat(50), "p.jsonl:2"));
    SkipReport skips = SkipReport.collecting();
    List<PreferencePair> pairs = PreferencePair.fromRecords(records, template, 20, skips);
    assertEquals(1, pairs.size());
    assertEquals(1, skips.total());
    assertTrue(skips.toString().contains("p.jsonl:2"), skips.toString());
    // <|user|> h i <|assistant|> then the response and <|endoftext|>
    assertEquals(4, pairs.get(0).chosen().promptLength());
    assertArrayEquals(new int[] {'y', 'e', 's', 256}, pairs.get(0).chosen().completion());
    DataFormatException strict =
        assertThrows(DataFormatException.class, () -> PreferencePair.fromRecords(records, template, 20, SkipReport.strict()));
    assertEquals("p.jsonl:2", strict.source());
    DataFormatException form =
        assertThrows(
            DataFormatException.class,
            () -> PreferencePair.fromRecords(List.of(new DataRecord.PromptCompletion("a", "b", "q.jsonl:7")), template, 20, skips));
    assertEquals("q.jsonl:7", form.source());
  }
}
