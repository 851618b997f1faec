package dev.tandem.api.tensor;

import java.util.List;

/**
 * The op set that models, objectives, compositions and optimizers are written against, once, for
 * every engine. Think {@code jax.numpy}: pure functions from tensors to new tensors.
 *
 * <p>Semantics every engine must follow (the conformance suite in the api test-jar checks them):
 *
 * <ul>
 *   <li>Binary elementwise ops broadcast NumPy-style (align trailing dimensions; size-1 dimensions
 *       stretch). Both operands are {@link DType#FLOAT32} unless stated.
 *   <li>Axes may be negative and count from the end.
 *   <li>Every op on float tensors is differentiable except where stated (masks, ids and indices get
 *       no gradient).
 *   <li>Code that uses these ops must not read tensor values or branch on them: an engine may trace
 *       the code once per input shapes and replay the graph.
 * </ul>
 *
 * <p>Methods with a default implementation are compositions of the primitives; an engine may
 * override them with a fused kernel as long as values and gradients agree.
 */
public interface TensorOps {

  // ---- memory ---------------------------------------------------------------------------------

  /**
   * Runs {@code body} and lets go of every tensor it created except the one it returns, as
   * TensorFlow.js's {@code tidy} does: what a training step's backward pass needs stays with the
   * engine's autograd, the rest is freed now rather than at the end of the step. Models wrap each
   * layer in it, objectives their loss over the logits, so that an eager engine holds one layer's
   * temporaries at a time instead of every layer's.
   *
   * <p>Tensors created before the call stay valid. A tensor created inside {@code body} and kept
   * anywhere but in the return value (a field, a list, a captured variable) is invalid afterwards:
   * compute what several layers share before the call. Calls nest. Engines that trace or hold no
   * per-op memory just run {@code body} (the default).
   */
  default Tensor tidy(java.util.function.Supplier<Tensor> body) {
    return body.get();
  }

  /**
   * {@link #tidy} for a body that returns several tensors, all of which stay: e.g. a layer of a
   * generation pass, whose output and KV-cache entries outlive it. The same rules otherwise.
   */
  default List<Tensor> tidyAll(java.util.function.Supplier<List<Tensor>> body) {
    return body.get();
  }

  // ---- creation -------------------------------------------------------------------------------

  /** A constant with the given value (a graph constant when traced). */
  Tensor constant(HostTensor value);

  /** A float scalar constant. */
  default Tensor scalar(float value) {
    return constant(HostTensor.scalar(value));
  }

  /** A float tensor of zeros. */
  default Tensor zeros(int... shape) {
    return constant(HostTensor.zeros(shape));
  }

  // ---- elementwise, binary (broadcasting) -------------------------------------------------------

  Tensor add(Tensor a, Tensor b);

  Tensor sub(Tensor a, Tensor b);

  Tensor mul(Tensor a, Tensor b);

  Tensor div(Tensor a, Tensor b);

  /** Elementwise maximum; the gradient goes to the larger operand (to {@code a} on ties). */
  Tensor maximum(Tensor a, Tensor b);

  /** {@code a + s}. */
  default Tensor add(Tensor a, float s) {
    return add(a, scalar(s));
  }

  /** {@code a * s}. */
  default Tensor mul(Tensor a, float s) {
    return mul(a, scalar(s));
  }

  // ---- elementwise, unary ---------------------------------------------------------------------

  Tensor neg(Tensor x);

  Tensor exp(Tensor x);

  /** Natural logarithm. */
  Tensor log(Tensor x);

  Tensor sqrt(Tensor x);

  Tensor square(Tensor x);

  Tensor tanh(Tensor x);

  /** Sine, in radians (RoPE's rotation angles). */
  Tensor sin(Tensor x);

  /** Cosine, in radians. */
  Tensor cos(Tensor x);

  Tensor sigmoid(Tensor x);

  Tensor relu(Tensor x);

  /** {@code x} raised to a constant power. */
  Tensor pow(Tensor x, float exponent);

  /**
   * GELU with the tanh approximation GPT-2 uses: {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715
   * x^3)))}.
   */
  default Tensor gelu(Tensor x) {
    Tensor inner = mul(add(x, mul(pow(x, 3f), 0.044715f)), (float) Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5f), add(tanh(inner), 1f));
  }

  /** SiLU (swish), Llama's MLP activation: {@code x * sigmoid(x)}. */
  default Tensor silu(Tensor x) {
    return mul(x, sigmoid(x));
  }

  /** {@code log(sigmoid(x))}, computed stably: {@code -softplus(-x)}. */
  default Tensor logSigmoid(Tensor x) {
    // log sigmoid(x) = min(x, 0) - log(1 + exp(-|x|))
    Tensor minX0 = neg(relu(neg(x)));
    Tensor absX = add(relu(x), relu(neg(x)));
    return sub(minX0, log(add(exp(neg(absX)), 1f)));
  }

  // ---- linear algebra -------------------------------------------------------------------------

  /**
   * Matrix product over the last two axes; leading (batch) axes broadcast. Both operands have rank
   * at least 2.
   */
  Tensor matmul(Tensor a, Tensor b);

  /**
   * A linear layer's product {@code x W^T} for a weight stored {@code [out, in]}, as PyTorch's
   * {@code nn.Linear} and Hugging Face checkpoints store it: {@code x} is {@code [..., in]}, the
   * result {@code [..., out]}, and the gradient flows to both. Models call this rather than
   * {@code matmul(x, transpose(w, 1, 0))} so that an engine can choose the product's formulation by
   * shape (a BLAS may be several times slower at one formulation than another for a few rows, as
   * in batched decoding).
   */
  default Tensor linear(Tensor x, Tensor w) {
    return matmul(x, transpose(w, 1, 0));
  }

  // ---- shape ----------------------------------------------------------------------------------

  /** Same data, new shape; one dimension may be {@code -1}. Works on int tensors too. */
  Tensor reshape(Tensor x, int... shape);

  /** Permutes axes: result axis {@code i} is input axis {@code perm[i]}. Works on int tensors. */
  Tensor transpose(Tensor x, int... perm);

  /** Elements {@code [start, end)} along {@code axis}. Works on int tensors. */
  Tensor slice(Tensor x, int axis, int start, int end);

  /** Joins tensors of equal shape except along {@code axis}. */
  Tensor concat(List<Tensor> xs, int axis);

  /** Repeats size-1 axes (and prepends axes) to reach {@code shape}. */
  Tensor broadcastTo(Tensor x, int... shape);

  // ---- reductions -----------------------------------------------------------------------------

  /** Sum along {@code axis}. */
  Tensor sum(Tensor x, int axis, boolean keepDims);

  /** Mean along {@code axis}. */
  default Tensor mean(Tensor x, int axis, boolean keepDims) {
    return mul(sum(x, axis, keepDims), 1f / x.shape().dim(axis));
  }

  /** Maximum along {@code axis}; the gradient goes to the maximal element. */
  Tensor max(Tensor x, int axis, boolean keepDims);

  /** Sum of all elements, as a scalar. */
  default Tensor sumAll(Tensor x) {
    return sum(reshape(x, -1), 0, false);
  }

  // ---- normalisation --------------------------------------------------------------------------

  /** Softmax along {@code axis}. */
  Tensor softmax(Tensor x, int axis);

  /** Log-softmax along {@code axis}, computed stably. */
  Tensor logSoftmax(Tensor x, int axis);

  /**
   * Layer normalisation over the last axis: {@code (x - mean) / sqrt(var + eps) * gamma + beta},
   * with the biased variance; {@code gamma} and {@code beta} have the shape of the last axis.
   */
  default Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    Tensor centred = sub(x, mean(x, -1, true));
    Tensor variance = mean(square(centred), -1, true);
    Tensor normed = div(centred, sqrt(add(variance, eps)));
    return add(mul(normed, gamma), beta);
  }

  /**
   * RMS normalisation over the last axis, as Llama and Qwen compute it: {@code weight * x /
   * sqrt(mean(x^2) + eps)}; {@code weight} has the shape of the last axis.
   */
  default Tensor rmsNorm(Tensor x, Tensor weight, float eps) {
    Tensor ms = mean(square(x), -1, true);
    return mul(div(x, sqrt(add(ms, eps))), weight);
  }

  /**
   * RoPE's rotate-half in Hugging Face's layout: the last axis (even length {@code d}) becomes
   * {@code concat(-x[d/2:], x[:d/2])}. Rotary embedding is then {@code x*cos + rotateHalf(x)*sin}.
   */
  default Tensor rotateHalf(Tensor x) {
    int d = x.shape().dim(-1);
    if (d % 2 != 0) {
      throw new IllegalArgumentException("rotateHalf needs an even last axis, not " + x.shape());
    }
    return concat(List.of(neg(slice(x, -1, d / 2, d)), slice(x, -1, 0, d / 2)), -1);
  }

  // ---- indexing and masks ---------------------------------------------------------------------

  /**
   * Rows of {@code table} ({@code [N, D]}) picked by the {@link DType#INT32} {@code ids} (any
   * shape {@code S}): the result has shape {@code S + [D]}. Gradients accumulate into the table.
   */
  Tensor embedding(Tensor table, Tensor ids);

  /**
   * Picks one element of the last axis per position: {@code x} is {@code S + [V]}, {@code index}
   * is an {@link DType#INT32} tensor of shape {@code S}; the result has shape {@code S}. This is
   * how target log-probs are read from a log-softmax.
   */
  Tensor takeAlongLastAxis(Tensor x, Tensor index);

  /**
   * Selects {@code a} where {@code mask} is non-zero and {@code b} elsewhere; the three broadcast
   * together. The mask gets no gradient.
   */
  Tensor where(Tensor mask, Tensor a, Tensor b);

  /**
   * Converts element type; float to int truncates toward zero. Gradients pass through
   * float-to-float only.
   */
  Tensor cast(Tensor x, DType dtype);
}
