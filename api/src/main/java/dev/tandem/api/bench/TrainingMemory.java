package dev.tandem.api.bench;

/**
 * The analytic memory of full fine-tuning in fp32 with AdamW, in bytes: weights {@code 4N}, gradients
 * {@code 4N}, AdamW's two moments {@code 8N}, and an estimate of the activations kept for the backward
 * pass, {@code 4 B T [L (4 d + 3 q + 4 kv + 4 I + 2 H T) + 3 V]}: per layer and token the residual and
 * both norms' inputs and outputs ({@code 4 d}), the queries before and after RoPE and the attention
 * output ({@code 3 q}, {@code q = H head_dim}), keys before and after RoPE, values and one spare
 * ({@code 4 kv}, {@code kv = KV head_dim}), the MLP's gate, up, activation and product ({@code 4 I}),
 * scores and probabilities ({@code 2 H T}); and the logits, their softmax and gradient ({@code 3 V}).
 *
 * @param parameters N
 * @param weights 4N
 * @param gradients 4N
 * @param optimizer 8N
 * @param activations the estimate above
 */
public record TrainingMemory(long parameters, long weights, long gradients, long optimizer, long activations) {
  /** The estimate for a model of these widths trained on batches of {@code batch x seq} tokens. */
  public static TrainingMemory of(long parameters, int layers, int hidden, int heads, int kvHeads, int headDim,
      int intermediate, int vocab, int batch, int seq) {
    long q = (long) heads * headDim;
    long kv = (long) kvHeads * headDim;
    long perToken = layers * (4L * hidden + 3 * q + 4 * kv + 4L * intermediate + 2L * heads * seq) + 3L * vocab;
    return new TrainingMemory(parameters, 4 * parameters, 4 * parameters, 8 * parameters, 4L * batch * seq * perToken);
  }

  /** Weights + gradients + optimizer state + activations. */
  public long total() {
    return weights + gradients + optimizer + activations;
  }
}
