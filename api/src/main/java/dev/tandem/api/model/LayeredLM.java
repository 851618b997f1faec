package dev.tandem.api.model;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;

/**
 * A decoder whose layers a composition can reach between: CALM reads an augmenting model's hidden
 * state after a block and adds its cross-attention to the anchor's. Every built-in family ({@link
 * Gpt}, the Llama family) implements it; a family that does not can be trained and generated from,
 * but not composed with CALM.
 *
 * <p>A pass is {@link #embed}, then {@link #block} for layers {@code 0 .. nLayer-1} (each given the
 * same {@link Embedded}), then {@link #head}. For generation, {@link #prefillBlock} and {@link
 * #decodeBlock} also return the layer's KV-cache entries, a rolling window as {@link
 * CausalLM#prefill} describes. Hidden states are {@code [B, T, nEmbd]}.
 */
public interface LayeredLM extends CausalLM {
  /**
   * The embedded tokens and what every block of the pass shares (e.g. RoPE's cosines and sines for
   * these positions; empty for a model with learned positions).
   *
   * @param hidden {@code [B, T, D]}, the input of block 0
   * @param shared per-pass tensors only the model interprets
   */
  record Embedded(Tensor hidden, List<Tensor> shared) {}

  /**
   * One block's output in generation and its KV-cache entries.
   *
   * @param hidden the block's output {@code [B, T, D]}
   * @param keys the layer's cached keys {@code [B, H_kv, S, Dh]}
   * @param values the layer's cached values {@code [B, H_kv, S, Dh]}
   */
  record BlockStep(Tensor hidden, Tensor keys, Tensor values) {}

  /** Embeds {@code ids} ({@code [B, T]}); positions {@code [B, T]}, or null for {@code 0..T-1}. */
  Embedded embed(TensorOps ops, Parameters p, Tensor ids, Tensor positions);

  /** Block {@code layer} over a whole sequence. */
  Tensor block(TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor attnBias);

  /** {@link #block} that also returns the layer's keys and values in the last {@code T} of {@code slots} slots. */
  BlockStep prefillBlock(TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor attnBias, int slots);

  /** {@link #block} for one new token per row over the layer's rolling cache window. */
  BlockStep decodeBlock(
      TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor keys, Tensor values, Tensor attnBias);

  /** The final norm and output projection: logits {@code [B, T, V]}. */
  Tensor head(TensorOps ops, Parameters p, Tensor x);

  /** A full pass written with the layer methods (what a family's {@link #forward} may delegate to). */
  default Tensor forwardByLayers(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias) {
    return head(ops, p, hiddenByLayers(ops, p, ids, positions, attnBias));
  }

  /** The last block's output {@code [B, T, D]}, one layer's temporaries at a time. */
  private Tensor hiddenByLayers(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias) {
    Tensor bias = attnBias != null ? attnBias : ops.constant(Masks.causal(ids.shape().dim(1)));
    Embedded e = embed(ops, p, ids, positions);
    Tensor x = e.hidden();
    for (int l = 0; l < config().nLayer(); l++) {
      Tensor in = x;
      int layer = l;
      x = ops.tidy(() -> block(ops, p, layer, e, in, bias));
    }
    return x;
  }

  /** Logits computed for at most this many elements ({@code B x positions x V}) at a time: 64 MiB of floats. */
  int LOGIT_CHUNK_ELEMENTS = 1 << 24;

  /**
   * {@link CausalLM#tokenLogProbs} with the head applied to a few positions at a time (as many as
   * keep {@code B x positions x V} within {@link #LOGIT_CHUNK_ELEMENTS}): the backward pass then
   * holds one chunk's logit gradients at a time instead of all positions' (at Qwen3's 151,936-word
   * vocabulary, batch 4 and 256 positions, 0.6 GB apiece). The chunks depend on shapes only, so a
   * tracing engine traces the same graph for the same shapes; a vocabulary small enough for one
   * chunk gives the ops of the unchunked computation.
   */
  @Override
  default Tensor tokenLogProbs(TensorOps ops, Parameters p, Tensor ids, Tensor targets) {
    Tensor x = hiddenByLayers(ops, p, ids, null, null);
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    long perPosition = (long) b * config().vocabSize();
    int step = (int) Math.max(1, Math.min(t, LOGIT_CHUNK_ELEMENTS / perPosition));
    if (step >= t) {
      return ops.takeAlongLastAxis(ops.logSoftmax(head(ops, p, x), -1), targets);
    }
    List<Tensor> parts = new java.util.ArrayList<>();
    for (int s = 0; s < t; s += step) {
      Tensor xs = ops.slice(x, 1, s, Math.min(t, s + step));
      Tensor ts = ops.slice(targets, 1, s, Math.min(t, s + step));
      parts.add(ops.tidy(() -> ops.takeAlongLastAxis(ops.logSoftmax(head(ops, p, xs), -1), ts)));
    }
    return ops.concat(parts, 1);
  }

  /** {@link CausalLM#prefill} written with the layer methods. */
  default DecodeStep prefillByLayers(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    return prefillByLayers(ops, p, ids, positions, attnBias, slots, false);
  }

  /** The head on the last position only (see {@link CausalLM#prefillLast}). */
  @Override
  default DecodeStep prefillLast(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    return prefillByLayers(ops, p, ids, positions, attnBias, slots, true);
  }

  private DecodeStep prefillByLayers(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots, boolean lastOnly) {
    Embedded e = embed(ops, p, ids, positions);
    Tensor x = e.hidden();
    List<Tensor> cache = new java.util.ArrayList<>();
    for (int l = 0; l < config().nLayer(); l++) {
      // one layer's temporaries at a time, as in training: kept, they would be fresh memory for every op of every layer
      Tensor in = x;
      int layer = l;
      List<Tensor> s = ops.tidyAll(() -> {
        BlockStep b = prefillBlock(ops, p, layer, e, in, attnBias, slots);
        return List.of(b.hidden(), b.keys(), b.values());
      });
      x = s.get(0);
      cache.add(s.get(1));
      cache.add(s.get(2));
    }
    int t = x.shape().dim(1);
    return new DecodeStep(head(ops, p, lastOnly ? ops.slice(x, 1, t - 1, t) : x), cache);
  }

  /** {@link CausalLM#decode} written with the layer methods. */
  default DecodeStep decodeByLayers(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, List<Tensor> cache, Tensor attnBias) {
    int n = config().nLayer();
    if (cache.size() != 2 * n) {
      throw new IllegalArgumentException("expected " + 2 * n + " cache tensors, got " + cache.size());
    }
    Embedded e = embed(ops, p, ids, positions);
    Tensor x = e.hidden();
    List<Tensor> next = new java.util.ArrayList<>();
    for (int l = 0; l < n; l++) { // no tidy: a decode step's temporaries are small, and a scope per layer costs time
      BlockStep s = decodeBlock(ops, p, l, e, x, cache.get(2 * l), cache.get(2 * l + 1), attnBias);
      x = s.hidden();
      next.add(s.keys());
      next.add(s.values());
    }
    return new DecodeStep(head(ops, p, x), next);
  }
}
