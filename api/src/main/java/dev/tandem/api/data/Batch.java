package dev.tandem.api.data;

import dev.tandem.api.tensor.HostTensor;

/**
 * A padded batch for causal LM training, right-padded to a length bucket {@code T}.
 *
 * @param inputIds {@code [B, T]} INT32 token ids (padding: the tokenizer's pad id)
 * @param targets {@code [B, T]} INT32 next-token ids ({@code targets[b][t] = tokens[b][t + 1]}; 0 where
 *     masked)
 * @param lossMask {@code [B, T]} FLOAT32, 1 where {@code targets} is a completion token, else 0
 * @param examples number of real rows (the rest, if any, are all-padding rows with a zero mask)
 */
public record Batch(HostTensor inputIds, HostTensor targets, HostTensor lossMask, int examples) {
  public int batchSize() {
    return inputIds.shape().dim(0);
  }

  public int length() {
    return inputIds.shape().dim(1);
  }

  /** Number of tokens that count in the loss. */
  public int targetTokens() {
    int n = 0;
    for (float m : lossMask.floats()) {
      n += m != 0 ? 1 : 0;
    }
    return n;
  }
}
