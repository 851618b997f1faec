package dev.tandem.api.model;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A GPT-2-style decoder, the whole model in one file: learned token and position embeddings,
 * {@code n_layer} pre-LayerNorm blocks of causal self-attention and a GELU MLP, a final LayerNorm,
 * and an output projection tied to the token embedding.
 *
 * <p>Parameter names and layouts follow Hugging Face's GPT-2 checkpoints ({@code wte.weight},
 * {@code h.0.attn.c_attn.weight} as {@code [in, out]}, ...), so {@code y = x W + b} everywhere.
 *
 * <p>The layer-level methods of {@link LayeredLM} let a composition (CALM) read hidden states
 * between layers and add to them.
 */
public final class Gpt implements LayeredLM {
  private final ModelConfig c;
  private final String prefix;

  /** A GPT whose parameters are named as in a GPT-2 checkpoint. */
  public Gpt(ModelConfig config) {
    this(config, "");
  }

  /**
   * A GPT whose parameter names carry a prefix, e.g. {@code anchor.}, so that several models share
   * one {@link Parameters}.
   */
  public Gpt(ModelConfig config, String prefix) {
    this.c = config;
    this.prefix = prefix;
  }

  @Override
  public ModelConfig config() {
    return c;
  }

  /** The prefix of every parameter name (empty for a plain model). */
  public String prefix() {
    return prefix;
  }

  // ---- parameters ---------------------------------------------------------------------------

  /**
   * GPT-2's initialisation: weights N(0, 0.02), residual output projections N(0, 0.02 /
   * sqrt(2 n_layer)), biases 0, LayerNorm gains 1. Deterministic in {@code seed} on every JVM.
   */
  @Override
  public Map<String, HostTensor> initialWeights(long seed) {
    Random rng = new Random(seed);
    int d = c.nEmbd();
    float std = 0.02f;
    float residualStd = (float) (0.02 / Math.sqrt(2.0 * c.nLayer()));
    Map<String, HostTensor> w = new LinkedHashMap<>();
    w.put(name("wte.weight"), normal(rng, std, c.vocabSize(), d));
    w.put(name("wpe.weight"), normal(rng, std, c.nPositions(), d));
    for (int l = 0; l < c.nLayer(); l++) {
      String h = "h." + l + ".";
      w.put(name(h + "ln_1.weight"), fill(1f, d));
      w.put(name(h + "ln_1.bias"), fill(0f, d));
      w.put(name(h + "attn.c_attn.weight"), normal(rng, std, d, 3 * d));
      w.put(name(h + "attn.c_attn.bias"), fill(0f, 3 * d));
      w.put(name(h + "attn.c_proj.weight"), normal(rng, residualStd, d, d));
      w.put(name(h + "attn.c_proj.bias"), fill(0f, d));
      w.put(name(h + "ln_2.weight"), fill(1f, d));
      w.put(name(h + "ln_2.bias"), fill(0f, d));
      w.put(name(h + "mlp.c_fc.weight"), normal(rng, std, d, c.nInner()));
      w.put(name(h + "mlp.c_fc.bias"), fill(0f, c.nInner()));
      w.put(name(h + "mlp.c_proj.weight"), normal(rng, residualStd, c.nInner(), d));
      w.put(name(h + "mlp.c_proj.bias"), fill(0f, d));
    }
    w.put(name("ln_f.weight"), fill(1f, d));
    w.put(name("ln_f.bias"), fill(0f, d));
    return w;
  }

  /** The full name of a parameter, prefix included. */
  public String name(String local) {
    return prefix + local;
  }

  // ---- the forward pass -----------------------------------------------------------------------

  @Override
  public Tensor forward(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias) {
    return forwardByLayers(ops, p, ids, positions, attnBias);
  }

  /** Token plus position embeddings, {@code [B, T, D]}; positions null means {@code 0..T-1}. */
  @Override
  public Embedded embed(TensorOps ops, Parameters p, Tensor ids, Tensor positions) {
    Tensor tok = ops.embedding(p.get(name("wte.weight")), ids);
    Tensor wpe = p.get(name("wpe.weight"));
    Tensor pos =
        positions == null
            ? ops.slice(wpe, 0, 0, ids.shape().dim(1))
            : ops.embedding(wpe, positions);
    return new Embedded(ops.add(tok, pos), List.of());
  }

  /** One transformer block over a whole sequence: {@code x + attn(ln1(x))}, then the MLP. */
  @Override
  public Tensor block(TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor attnBias) {
    Kv kv = keysValues(ops, p, layer, x);
    return finishBlock(ops, p, layer, x, kv.q, kv.k, kv.v, attnBias);
  }

  /** Final LayerNorm and the tied output projection: logits {@code [B, T, V]}. */
  @Override
  public Tensor head(TensorOps ops, Parameters p, Tensor x) {
    Tensor h = ops.layerNorm(x, p.get(name("ln_f.weight")), p.get(name("ln_f.bias")), c.layerNormEpsilon());
    return ops.linear(h, p.get(name("wte.weight")));
  }

  // ---- generation with a KV cache -------------------------------------------------------------

  @Override
  public DecodeStep prefill(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    return prefillByLayers(ops, p, ids, positions, attnBias, slots);
  }

  @Override
  public DecodeStep decode(
      TensorOps ops,
      Parameters p,
      Tensor ids,
      Tensor positions,
      List<Tensor> cache,
      Tensor attnBias) {
    return decodeByLayers(ops, p, ids, positions, cache, attnBias);
  }

  @Override
  public BlockStep prefillBlock(
      TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor attnBias, int slots) {
    int t = x.shape().dim(1);
    if (slots < t) {
      throw new IllegalArgumentException("cache of " + slots + " slots cannot hold " + t + " tokens");
    }
    Kv kv = keysValues(ops, p, layer, x);
    Tensor out = finishBlock(ops, p, layer, x, kv.q, kv.k, kv.v, attnBias);
    return new BlockStep(out, rollIn(ops, kv.k, slots), rollIn(ops, kv.v, slots));
  }

  @Override
  public BlockStep decodeBlock(
      TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor keys, Tensor values, Tensor attnBias) {
    Kv kv = keysValues(ops, p, layer, x);
    Tensor k = roll(ops, keys, kv.k);
    Tensor v = roll(ops, values, kv.v);
    return new BlockStep(finishBlock(ops, p, layer, x, kv.q, k, v, attnBias), k, v);
  }

  /**
   * The rolling window of a cache along axis 2: drops the oldest slot of {@code cache} ({@code [B,
   * H, S, Dh]}) and appends {@code entry} ({@code [B, H, 1, Dh]}).
   */
  public static Tensor roll(TensorOps ops, Tensor cache, Tensor entry) {
    int slots = cache.shape().dim(2);
    return ops.concat(List.of(ops.slice(cache, 2, 1, slots), entry), 2);
  }

  /**
   * A prompt's entries ({@code [B, H, T, Dh]}) in the last {@code T} of {@code slots} slots, zeros
   * before them.
   */
  public static Tensor rollIn(TensorOps ops, Tensor entries, int slots) {
    Shape s = entries.shape();
    if (slots == s.dim(2)) {
      return entries;
    }
    Tensor empty = ops.zeros(s.dim(0), s.dim(1), slots - s.dim(2), s.dim(3));
    return ops.concat(List.of(empty, entries), 2);
  }

  // ---- internals ------------------------------------------------------------------------------

  private record Kv(Tensor q, Tensor k, Tensor v) {}

  /** ln_1 and the QKV projection, split into heads: each {@code [B, H, T, Dh]}. */
  private Kv keysValues(TensorOps ops, Parameters p, int layer, Tensor x) {
    String h = "h." + layer + ".";
    int d = c.nEmbd();
    Tensor a = ops.layerNorm(x, p.get(name(h + "ln_1.weight")), p.get(name(h + "ln_1.bias")), c.layerNormEpsilon());
    Tensor qkv = linear(ops, p, h + "attn.c_attn", a);
    return new Kv(
        heads(ops, ops.slice(qkv, -1, 0, d)),
        heads(ops, ops.slice(qkv, -1, d, 2 * d)),
        heads(ops, ops.slice(qkv, -1, 2 * d, 3 * d)));
  }

  /**
   * {@link Attention} over the given keys/values, output projection, residual, then the MLP block.
   */
  private Tensor finishBlock(
      TensorOps ops, Parameters p, int layer, Tensor x, Tensor q, Tensor k, Tensor v, Tensor bias) {
    String h = "h." + layer + ".";
    Tensor y = Attention.mergeHeads(ops, Attention.attend(ops, q, k, v, bias, Attention.scale(c.headDim())));
    x = ops.add(x, linear(ops, p, h + "attn.c_proj", y));
    Tensor m = ops.layerNorm(x, p.get(name(h + "ln_2.weight")), p.get(name(h + "ln_2.bias")), c.layerNormEpsilon());
    m = linear(ops, p, h + "mlp.c_proj", ops.gelu(linear(ops, p, h + "mlp.c_fc", m)));
    return ops.add(x, m);
  }

  private Tensor linear(TensorOps ops, Parameters p, String local, Tensor x) {
    return ops.add(p.linear(ops, name(local + ".weight"), x, true), p.get(name(local + ".bias")));
  }

  /** {@code [B, T, D] -> [B, H, T, Dh]}. */
  private Tensor heads(TensorOps ops, Tensor x) {
    return Attention.splitHeads(ops, x, c.nHead());
  }

  private static HostTensor normal(Random rng, float std, int... shape) {
    float[] v = new float[shape[0] * shape[1]];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rng.nextGaussian() * std);
    }
    return HostTensor.of(v, shape);
  }

  private static HostTensor fill(float value, int n) {
    float[] v = new float[n];
    java.util.Arrays.fill(v, value);
    return HostTensor.of(v, n);
  }
}
