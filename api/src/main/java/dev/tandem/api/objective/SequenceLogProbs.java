package dev.tandem.api.objective;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;

/**
 * Log-probabilities of target tokens under a model's logits, per token, summed per sequence (DPO,
 * SPIN) or length-normalised (SimPO, TRL's IPO), for objectives written over {@link TensorOps}.
 * Only tokens whose loss mask is 1 (the completion) count.
 */
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

  /**
   * Per-token log-probs of the targets under {@code model}, masked: {@code [B, T]}, through {@link
   * CausalLM#tokenLogProbs} (which never holds a large vocabulary's logits for all positions).
   */
  public static Tensor perToken(TensorOps ops, dev.tandem.api.model.CausalLM model,
      dev.tandem.api.engine.Parameters params, Tensor ids, Tensor targets, Tensor mask) {
    return ops.mul(model.tokenLogProbs(ops, params, ids, targets), mask);
  }

  /** Summed log-probs of each row's target tokens: {@code [B]}. */
  public static Tensor summed(TensorOps ops, Tensor logits, Tensor targets, Tensor mask) {
    return ops.sum(perToken(ops, logits, targets, mask), 1, false);
  }

  /** The number of completion tokens of each row, the sum of its mask: {@code [B]} FLOAT32. */
  public static Tensor lengths(TensorOps ops, Tensor mask) {
    return ops.sum(mask, 1, false);
  }

  /**
   * Length-normalised log-probs: each row's summed log-prob divided by its number of completion
   * tokens, {@code [B]} ({@code 0} for an all-padding row). This is SimPO's {@code log p(y|x) / |y|}.
   */
  public static Tensor average(TensorOps ops, Tensor logits, Tensor targets, Tensor mask) {
    return ops.div(summed(ops, logits, targets, mask), ops.maximum(lengths(ops, mask), ops.scalar(1f)));
  }
}
