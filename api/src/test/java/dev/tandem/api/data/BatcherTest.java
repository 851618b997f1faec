package dev.tandem.api.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatcherTest {
  static final int PAD = 257;

  @Test
  void defaultBucketsArePowersOfTwoUpToTheContext() {
    assertArrayEquals(new int[] {16, 32, 64, 128, 256}, Batcher.defaultBuckets(256));
    assertArrayEquals(new int[] {16, 32, 64, 100}, Batcher.defaultBuckets(100));
    assertArrayEquals(new int[] {16}, Batcher.defaultBuckets(16));
    assertArrayEquals(new int[] {8}, Batcher.defaultBuckets(8));
    assertArrayEquals(new int[] {16, 17}, Batcher.defaultBuckets(17));
  }

  @Test
  void buildsShiftedTargetsAndACompletionMask() {
    Batcher batcher = new Batcher(3, new int[] {4, 8}, PAD);
    // prompt 10 11, completion 12 13 14: inputs 10 11 12 13, targets 11 12 13 14, mask on 12 13 14
    Example a = new Example(new int[] {10, 11, 12, 13, 14}, 2, "a");
    // text: no prompt, every target counts
    Example b = new Example(new int[] {20, 21, 22}, 0, "b");
    Batch batch = batcher.batch(List.of(a, b));
    assertEquals(3, batch.batchSize());
    assertEquals(4, batch.length());
    assertEquals(2, batch.examples());
    assertArrayEquals(
        new int[] {10, 11, 12, 13, 20, 21, PAD, PAD, PAD, PAD, PAD, PAD}, batch.inputIds().ints());
    assertArrayEquals(new int[] {0, 12, 13, 14, 21, 22, 0, 0, 0, 0, 0, 0}, batch.targets().ints());
    assertArrayEquals(
        new float[] {0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}, batch.lossMask().floats());
    assertEquals(5, batch.targetTokens());
    assertArrayEquals(new int[] {3, 4}, batch.inputIds().shape().dims());
  }

  @Test
  void padsToAGivenLengthForBatchesThatArePaddedTogether() {
    Batcher batcher = new Batcher(2, new int[] {4, 8}, PAD);
    Batch b = batcher.batch(List.of(new Example(new int[] {10, 11, 12}, 1, "a")), 8);
    assertArrayEquals(new int[] {2, 8}, b.inputIds().shape().dims());
    assertArrayEquals(new float[] {1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, b.lossMask().floats());
    assertThrows(IllegalArgumentException.class, () -> batcher.batch(List.of(new Example(new int[6], 0, "x")), 4));
  }

  @Test
  void picksTheSmallestBucketThatHoldsTheInputs() {
    Batcher batcher = new Batcher(1, new int[] {8, 4}, PAD);
    assertEquals(4, batcher.batch(List.of(new Example(new int[5], 0, "x"))).length());
    assertEquals(8, batcher.batch(List.of(new Example(new int[6], 0, "x"))).length());
    assertEquals(8, batcher.batch(List.of(new Example(new int[9], 0, "x"))).length());
    DataFormatException e =
        assertThrows(DataFormatException.class, () -> batcher.batch(List.of(new Example(new int[10], 0, "f:7"))));
    assertEquals("f:7: 9 input tokens exceed the largest length bucket 8", e.getMessage());
    assertThrows(DataFormatException.class, () -> batcher.batch(List.of(new Example(new int[1], 0, "f:8"))));
  }

  @Test
  void anEpochVisitsEveryExampleOnceInFixedShapeBatches() {
    List<Example> examples =
        IntStream.range(0, 10).mapToObj(i -> new Example(new int[] {i, i, i}, 1, "e" + i)).toList();
    Batcher batcher = new Batcher(4, new int[] {2}, PAD);
    int[] order = EpochOrder.shuffled(10, 42, 0);
    List<Batch> batches = batcher.batches(examples, order);
    assertEquals(3, batches.size());
    assertEquals(3, batcher.stepsPerEpoch(10));
    int[] seen = new int[10];
    for (int s = 0; s < batches.size(); s++) {
      Batch b = batches.get(s);
      assertArrayEquals(new int[] {4, 2}, b.inputIds().shape().dims());
      assertEquals(s < 2 ? 4 : 2, b.examples());
      for (int r = 0; r < b.examples(); r++) {
        int id = b.inputIds().ints()[r * 2];
        assertEquals(order[s * 4 + r], id, "rows follow the order");
        seen[id]++;
      }
      for (int r = b.examples(); r < 4; r++) {
        assertEquals(PAD, b.inputIds().ints()[r * 2]);
        assertEquals(0f, b.lossMask().floats()[r * 2 + 1]);
      }
      assertEquals(b, batcher.batchAt(examples, order, s));
    }
    int[] ones = new int[10];
    Arrays.fill(ones, 1);
    assertArrayEquals(ones, seen);
    assertThrows(IndexOutOfBoundsException.class, () -> batcher.batchAt(examples, order, 3));
    assertThrows(IllegalArgumentException.class, () -> batcher.batches(examples, new int[] {10}));
  }

  @Test
  void epochOrderIsADeterministicPermutationPerSeedAndEpoch() {
    int[] a = EpochOrder.shuffled(1000, 7, 3);
    assertArrayEquals(a, EpochOrder.shuffled(1000, 7, 3));
    assertArrayEquals(EpochOrder.sequential(1000), Arrays.stream(a.clone()).sorted().toArray());
    assertNotEquals(Arrays.toString(a), Arrays.toString(EpochOrder.shuffled(1000, 7, 4)));
    assertNotEquals(Arrays.toString(a), Arrays.toString(EpochOrder.shuffled(1000, 8, 3)));
    assertNotEquals(Arrays.toString(a), Arrays.toString(EpochOrder.sequential(1000)));
    // pinned: the same order on every JVM, so resumed runs agree with old checkpoints
    assertArrayEquals(EpochOrder.shuffled(5, 1, 0), pinnedOrder());
    assertEquals(0, EpochOrder.shuffled(0, 1, 0).length);
  }

  /** Fisher-Yates with new Random(1 * 1_000_003 + 0), computed independently here. */
  private static int[] pinnedOrder() {
    java.util.Random r = new java.util.Random(1_000_003L);
    int[] o = {0, 1, 2, 3, 4};
    for (int i = 4; i > 0; i--) {
      int j = r.nextInt(i + 1);
      int t = o[i];
      o[i] = o[j];
      o[j] = t;
    }
    return o;
  }

  @Test
  void rejectsBadConfiguration() {
    assertThrows(IllegalArgumentException.class, () -> new Batcher(0, new int[] {4}, PAD));
    assertThrows(IllegalArgumentException.class, () -> new Batcher(1, new int[0], PAD));
    assertThrows(IllegalArgumentException.class, () -> new Batcher(1, new int[] {0, 4}, PAD));
    Batcher b = new Batcher(1, new int[] {4}, PAD);
    Example e = new Example(new int[3], 0, "x");
    assertThrows(IllegalArgumentException.class, () -> b.batch(List.of(e, e)));
    assertThrows(IllegalArgumentException.class, () -> b.batch(List.of()));
    assertTrue(b.bucketFor(5) < 0);
  }
}
