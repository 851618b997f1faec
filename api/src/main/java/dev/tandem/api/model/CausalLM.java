package dev.tandem.api.model;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;

/**
 * A causal language model written over {@link TensorOps}: a GPT, or a composition of several models
 * (CALM) that behaves as one. All methods are pure tensor functions, safe to trace.
 *
 * <p>Shapes: {@code B} batch, {@code T} sequence, {@code S} KV-cache slots, {@code V} vocabulary.
 * An attention bias is additive ({@code 0} where a query may attend a key, a large negative number
 * elsewhere) and broadcasts to {@code [B, heads, T, S]}.
 */
public interface CausalLM {
  /** The shape of the model: vocabulary, context length, widths. */
  ModelConfig config();

  /** Initial values of every parameter, deterministic in {@code seed}. */
  Map<String, HostTensor> initialWeights(long seed);

  /**
   * Every parameter's name and shape, in {@link #initialWeights} order, without creating values: what
   * a checkpoint must hold. The default derives it from {@code initialWeights(0)}; a model of real
   * size overrides it.
   */
  default Map<String, dev.tandem.api.tensor.Shape> parameterShapes() {
    Map<String, dev.tandem.api.tensor.Shape> out = new java.util.LinkedHashMap<>();
    initialWeights(0).forEach((k, v) -> out.put(k, v.shape()));
    return out;
  }

  /**
   * Logits {@code [B, T, V]}.
   *
   * @param ids {@code [B, T]} INT32
   * @param positions {@code [B, T]} INT32 position ids, or null for {@code 0..T-1} in every row
   * @param attnBias additive bias broadcastable to {@code [B, 1, T, T]}, or null for the causal mask
   */
  Tensor forward(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias);

  /**
   * The log-probability of each target token: {@code [B, T]}, element {@code (b, t)} being {@code
   * log softmax(logits[b, t])[targets[b, t]]} for {@link #forward}'s logits with the causal mask.
   * What objectives train on. The default forms the whole {@code [B, T, V]} log-softmax; {@link
   * LayeredLM} applies the head a few positions at a time, so that a large vocabulary's logits and
   * their gradients never exist for all positions at once.
   *
   * @param ids {@code [B, T]} INT32
   * @param targets {@code [B, T]} INT32
   */
  default Tensor tokenLogProbs(TensorOps ops, Parameters p, Tensor ids, Tensor targets) {
    return ops.takeAlongLastAxis(ops.logSoftmax(forward(ops, p, ids, null, null), -1), targets);
  }

  /**
   * Runs a prompt and fills a KV cache of {@code slots} slots. The cache is a window of fixed size
   * (so a tracing engine traces one decode step for a whole generation): the prompt occupies the
   * last {@code T} slots, and each {@link #decode} step drops the first slot and appends the new
   * token's keys and values at the end. Slots that hold no token must be blocked by the bias.
   *
   * @param attnBias as in {@link #forward}, must not be null (it carries the padding of the prompts)
   */
  DecodeStep prefill(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots);

  /**
   * {@link #prefill} that returns the logits of the last position only, {@code [B, 1, V]}: what
   * generation needs, without the output projection of every prompt position (with a large
   * vocabulary, most of a prefill's work). The default slices {@link #prefill}'s logits; a model
   * whose head can run on the last position alone overrides it.
   */
  default DecodeStep prefillLast(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    DecodeStep s = prefill(ops, p, ids, positions, attnBias, slots);
    int t = s.logits().shape().dim(1);
    return new DecodeStep(ops.slice(s.logits(), 1, t - 1, t), s.cache());
  }

  /**
   * One decoding step for one new token per row.
   *
   * @param ids {@code [B, 1]} INT32, the tokens just chosen
   * @param positions {@code [B, 1]} INT32, their position ids
   * @param cache the cache returned by the previous step
   * @param attnBias broadcastable to {@code [B, 1, 1, S]}: which slots the new token sees, after the
   *     window has moved (the last slot is the new token itself)
   */
  DecodeStep decode(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, List<Tensor> cache, Tensor attnBias);

  /**
   * Logits and the KV cache after a {@link #prefill} or {@link #decode} step.
   *
   * @param logits {@code [B, T, V]} ({@code T = 1} for decode)
   * @param cache the model's cache tensors, in an order only the model interprets
   */
  record DecodeStep(Tensor logits, List<Tensor> cache) {}
}
