package dev.tandem.api.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.testing.HostOps;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The attention unit that GPT's self-attention and CALM's cross-attention share: the head split
 * and merge here (the host ops have no matmul); {@code attend}'s numerics are covered by GptTest,
 * the engines' conformance suites and the composition and KV-cache it-tests.
 */
class AttentionTest {
  private final HostOps ops = new HostOps();

  private static HostTensor rand(Random r, int... shape) {
    float[] f = new float[HostTensor.zeros(shape).shape().size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return HostTensor.of(f, shape);
  }

  @Test
  void mergeHeadsInvertsSplitHeads() {
    HostTensor x = rand(new Random(1), 2, 3, 8);
    Tensor split = Attention.splitHeads(ops, ops.constant(x), 4);
    assertEquals(java.util.List.of(2, 4, 3, 2), java.util.Arrays.stream(split.shape().dims()).boxed().toList());
    assertArrayEquals(HostOps.of(x).values(), HostOps.host(Attention.mergeHeads(ops, split)).values());
    assertThrows(IllegalArgumentException.class, () -> Attention.splitHeads(ops, ops.constant(x), 3));
  }
}
