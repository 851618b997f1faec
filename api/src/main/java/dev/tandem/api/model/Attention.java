package dev.tandem.api.model;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;

/**
 * Multi-head attention, written once over the op set: the unit of {@link Gpt}'s self-attention,
 * which compositions reuse for their own attention (CALM's cross-attention from the anchor's states
 * to an augmenting model's). The projections around it (which states give the queries, keys and
 * values, and with which parameters) are the caller's.
 *
 * <p>Shapes: {@code B} rows, {@code H} heads, {@code T} query positions, {@code S} key positions,
 * {@code Dh} the head size, {@code D = H * Dh}.
 */
public final class Attention {
  private Attention() {}

  /** Attention's usual score factor {@code 1 / sqrt(headDim)}. */
  public static float scale(int headDim) {
    return (float) (1 / Math.sqrt(headDim));
  }

  /**
   * Scaled dot-product attention per head: {@code softmax(q k^T * scale + bias) v}.
   *
   * @param q queries {@code [B, H, T, Dh]}
   * @param k keys {@code [B, H, S, Dh]}
   * @param v values {@code [B, H, S, Dh]}
   * @param bias additive mask and position bias, broadcastable to {@code [B, H, T, S]} (e.g. {@link
   *     Masks#causal}: 0 where a query may attend, a large negative number where not)
   * @param scale the score factor, e.g. {@link #scale(int)}; exactly 1 when the queries already carry
   *     it (no multiplication then)
   * @return {@code [B, H, T, Dh]}
   */
  public static Tensor attend(TensorOps ops, Tensor q, Tensor k, Tensor v, Tensor bias, float scale) {
    Tensor scores = ops.matmul(q, ops.transpose(k, 0, 1, 3, 2));
    if (scale != 1f) {
      scores = ops.mul(scores, scale);
    }
    Tensor weights = ops.softmax(ops.add(scores, bias), -1);
    return ops.matmul(weights, v);
  }

  /** {@code [B, T, D] -> [B, H, T, D / H]}. */
  public static Tensor splitHeads(TensorOps ops, Tensor x, int heads) {
    int b = x.shape().dim(0);
    int t = x.shape().dim(1);
    int d = x.shape().dim(2);
    if (d % heads != 0) {
      throw new IllegalArgumentException("width " + d + " does not split into " + heads + " heads");
    }
    return ops.transpose(ops.reshape(x, b, t, heads, d / heads), 0, 2, 1, 3);
  }

  /** {@code [B, H, T, Dh] -> [B, T, H * Dh]}, the inverse of {@link #splitHeads}. */
  public static Tensor mergeHeads(TensorOps ops, Tensor x) {
    int b = x.shape().dim(0);
    int h = x.shape().dim(1);
    int t = x.shape().dim(2);
    int dh = x.shape().dim(3);
    return ops.reshape(ops.transpose(x, 0, 2, 1, 3), b, t, h * dh);
  }
}
