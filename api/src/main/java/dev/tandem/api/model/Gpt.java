package dev.tandem.api.model;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.HostTensor;
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
 * <p>The layer-level methods ({@link #embed}, {@link #block}, {@link #head}) are public so that a
 * composition (CALM) can read hidden states between layers and add to them.
 */
public final class Gpt implements CausalLM {
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
    int t = ids.shape().dim(1);
    Tensor bias = attnBias != null ? attnBias : ops.constant(Masks.causal(t));
    Tensor x = embed(ops, p, ids, positions);
    for (int l = 0; l < c.nLayer(); l++) {
      x = block(ops, p, l, x, bias);
    }
    return head(ops, p, x);
  }

  /** Token plus position embeddings, {@code [B, T, D]}; positions null means {@code 0..T-1}. */
  public Tensor embed(TensorOps ops, Parameters p, Tensor ids, Tensor positions) {
    Tensor tok = ops.embedding(p.get(name("wte.weight")), ids);
    Tensor wpe = p.get(name("wpe.weight"));
    Tensor pos =
        positions == null
            ? ops.slice(wpe, 0, 0, ids.shape().dim(1))
            : ops.embedding(wpe, positions);
    return ops.add(tok, pos);
  }

  /** One transformer block over a whole sequence: {@code x + attn(ln1(x))}, then the MLP. */
  public Tensor block(TensorOps ops, Parameters p, int layer, Tensor x, Tensor attnBias) {
    Kv kv = keysValues(ops, p, layer, x);
    return finishBlock(ops, p, layer, x, kv.q, kv.k, kv.v, attnBias);
  }

  /** Final LayerNorm and the tied output projection: logits {@code [B, T, V]}. */
  public Tensor head(TensorOps ops, Parameters p, Tensor x) {
    Tensor h = ops.layerNorm(x, p.get(name("ln_f.weight")), p.get(name("ln_f.bias")), c.layerNormEpsilon());
    return ops.matmul(h, ops.transpose(p.get(name("wte.weight")), 1, 0));
  }

  // ---- generation with a KV cache -------------------------------------------------------------

  @Override
  public DecodeStep prefill(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    if (slots < t) {
      throw new IllegalArgumentException("cache of " + slots + " slots cannot hold " + t + " tokens");
    }
    Tensor x = embed(ops, p, ids, positions);
    List<Tensor> cache = new ArrayList<>();
    Tensor empty = slots > t ? ops.zeros(b, c.nHead(), slots - t, c.headDim()) : null;
    for (int l = 0; l < c.nLayer(); l++) {
      Kv kv = keysValues(ops, p, l, x);
      x = finishBlock(ops, p, l, x, kv.q, kv.k, kv.v, attnBias);
      // the prompt fills the last t slots; decode shifts the window left by one per token
      cache.add(empty == null ? kv.k : ops.concat(List.of(empty, kv.k), 2));
      cache.add(empty == null ? kv.v : ops.concat(List.of(empty, kv.v), 2));
    }
    return new DecodeStep(head(ops, p, x), cache);
  }

  @Override
  public DecodeStep decode(
      TensorOps ops,
      Parameters p,
      Tensor ids,
      Tensor positions,
      List<Tensor> cache,
      Tensor attnBias) {
    if (cache.size() != 2 * c.nLayer()) {
      throw new IllegalArgumentException("expected " + 2 * c.nLayer() + " cache tensors, got " + cache.size());
    }
    int slots = cache.get(0).shape().dim(2);
    Tensor x = embed(ops, p, ids, positions);
    List<Tensor> next = new ArrayList<>();
    for (int l = 0; l < c.nLayer(); l++) {
      Kv kv = keysValues(ops, p, l, x);
      // a rolling window of fixed size: drop the oldest slot, append the new token's key/value
      Tensor k = ops.concat(List.of(ops.slice(cache.get(2 * l), 2, 1, slots), kv.k), 2);
      Tensor v = ops.concat(List.of(ops.slice(cache.get(2 * l + 1), 2, 1, slots), kv.v), 2);
      x = finishBlock(ops, p, l, x, kv.q, k, v, attnBias);
      next.add(k);
      next.add(v);
    }
    return new DecodeStep(head(ops, p, x), next);
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

  /** Attention over the given keys/values, output projection, residual, then the MLP block. */
  private Tensor finishBlock(
      TensorOps ops, Parameters p, int layer, Tensor x, Tensor q, Tensor k, Tensor v, Tensor bias) {
    String h = "h." + layer + ".";
    Tensor scores = ops.mul(ops.matmul(q, ops.transpose(k, 0, 1, 3, 2)), (float) (1 / Math.sqrt(c.headDim())));
    Tensor weights = ops.softmax(ops.add(scores, bias), -1);
    Tensor y = mergeHeads(ops, ops.matmul(weights, v));
    x = ops.add(x, linear(ops, p, h + "attn.c_proj", y));
    Tensor m = ops.layerNorm(x, p.get(name(h + "ln_2.weight")), p.get(name(h + "ln_2.bias")), c.layerNormEpsilon());
    m = linear(ops, p, h + "mlp.c_proj", ops.gelu(linear(ops, p, h + "mlp.c_fc", m)));
    return ops.add(x, m);
  }

  private Tensor linear(TensorOps ops, Parameters p, String local, Tensor x) {
    return ops.add(ops.matmul(x, p.get(name(local + ".weight"))), p.get(name(local + ".bias")));
  }

  /** {@code [B, T, D] -> [B, H, T, Dh]}. */
  private Tensor heads(TensorOps ops, Tensor x) {
    int b = x.shape().dim(0);
    int t = x.shape().dim(1);
    return ops.transpose(ops.reshape(x, b, t, c.nHead(), c.headDim()), 0, 2, 1, 3);
  }

  /** {@code [B, H, T, Dh] -> [B, T, D]}. */
  private Tensor mergeHeads(TensorOps ops, Tensor x) {
    int b = x.shape().dim(0);
    int t = x.shape().dim(2);
    return ops.reshape(ops.transpose(x, 0, 2, 1, 3), b, t, c.nEmbd());
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
