package dev.tandem.api.objective;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;

/** Log-probabilities of target tokens under a model's logits: shared by SFT, DPO and SPIN. */
public final class SequenceLogProbs {
  private SequenceLogProbs() {}

  /**
   * Per-token log-probs of the targets, masked: {@code [B, T]}.
   *
   * @param logits {@code [B, T, V]}
   * @param targets {@code [B, T]} INT32
   * @param mask {@code [B, T]} FLOAT32
   */
  public static Tensor perToken(TensorOps ops, Tensor logits, Tensor targets, Tensor mask) {
    return ops.mul(ops.takeAlongLastAxis(ops.logSoftmax(logits, -1), targets), mask);
  }

  /** Summed log-probs of each row's target tokens: {@code [B]}. */
  public static Tensor summed(TensorOps ops, Tensor logits, Tensor targets, Tensor mask) {
    return ops.sum(perToken(ops, logits, targets, mask), 1, false);
  }
}
