package dev.tandem.llama;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.Attention;
import dev.tandem.api.model.LayeredLM;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.Masks;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The Llama family, the whole model in one file: Llama 2 and 3.x, TinyLlama, SmolLM, Mistral
 * (within its window), Qwen2 and Qwen3, as transformers' {@code modeling_llama.py}, {@code
 * modeling_qwen2.py} and {@code modeling_qwen3.py} compute them.
 *
 * <pre>
 * h   = x + o_proj(attention(RMSNorm(x)))          queries and keys rotated by RoPE (rotate-half)
 * out = h + down_proj(silu(gate_proj(n)) * up_proj(n)),  n = RMSNorm(h)
 * </pre>
 *
 * Grouped-query attention: key/value head {@code j} serves query heads {@code j*r .. (j+1)*r-1},
 * {@code r = heads / kvHeads}; the KV cache holds the {@code kvHeads} heads only. Qwen3 normalises
 * each query and key head (RMSNorm over {@code head_dim}) before RoPE. Linear weights are {@code
 * [out, in]} as in {@code nn.Linear}: {@code y = x W^T + b}. Parameter names are the checkpoint's
 * ({@code model.layers.0.self_attn.q_proj.weight}, ...), after an optional prefix.
 */
public final class LlamaModel implements LayeredLM {
  private final LlamaConfig c;
  private final String prefix;
  private final ModelConfig shape;

  /** A model whose parameter names start with {@code prefix} (empty for a plain model). */
  public LlamaModel(LlamaConfig config, String prefix) {
    this.c = config;
    this.prefix = prefix;
    this.shape = config.shape();
  }

  /** The family config. */
  public LlamaConfig llamaConfig() {
    return c;
  }

  @Override
  public ModelConfig config() {
    return shape;
  }

  /** The full name of a parameter, prefix included. */
  public String name(String local) {
    return prefix + local;
  }

  // ---- parameters ---------------------------------------------------------------------------

  /** Every parameter's checkpoint name (after the prefix) and shape, without creating values. */
  @Override
  public Map<String, Shape> parameterShapes() {
    int d = c.hidden();
    int q = c.heads() * c.headDim();
    int kv = c.kvHeads() * c.headDim();
    Map<String, Shape> w = new LinkedHashMap<>();
    w.put(name("model.embed_tokens.weight"), Shape.of(c.vocabSize(), d));
    for (int l = 0; l < c.layers(); l++) {
      String a = "model.layers." + l + ".self_attn.";
      linear(w, a + "q_proj", q, d, c.qkvBias());
      linear(w, a + "k_proj", kv, d, c.qkvBias());
      linear(w, a + "v_proj", kv, d, c.qkvBias());
      linear(w, a + "o_proj", d, q, c.oBias());
      if (c.qkNorm()) {
        w.put(name(a + "q_norm.weight"), Shape.of(c.headDim()));
        w.put(name(a + "k_norm.weight"), Shape.of(c.headDim()));
      }
      String m = "model.layers." + l + ".mlp.";
      linear(w, m + "gate_proj", c.intermediate(), d, c.mlpBias());
      linear(w, m + "up_proj", c.intermediate(), d, c.mlpBias());
      linear(w, m + "down_proj", d, c.intermediate(), c.mlpBias());
      w.put(name("model.layers." + l + ".input_layernorm.weight"), Shape.of(d));
      w.put(name("model.layers." + l + ".post_attention_layernorm.weight"), Shape.of(d));
    }
    w.put(name("model.norm.weight"), Shape.of(d));
    if (!c.tieEmbeddings()) {
      w.put(name("lm_head.weight"), Shape.of(c.vocabSize(), d));
    }
    return w;
  }

  /**
   * transformers' initialisation ({@code initializer_range} 0.02): N(0, 0.02) for matrices and
   * embeddings, zeros for biases, ones for the norms. Deterministic in {@code seed}.
   */
  @Override
  public Map<String, HostTensor> initialWeights(long seed) {
    Random rng = new Random(seed);
    Map<String, HostTensor> w = new LinkedHashMap<>();
    for (Map.Entry<String, Shape> e : parameterShapes().entrySet()) {
      float[] v = new float[e.getValue().size()];
      if (e.getKey().endsWith("norm.weight")) {
        java.util.Arrays.fill(v, 1f);
      } else if (!e.getKey().endsWith(".bias")) {
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (rng.nextGaussian() * 0.02);
        }
      }
      w.put(e.getKey(), HostTensor.of(v, e.getValue().dims()));
    }
    return w;
  }

  // ---- the forward pass -----------------------------------------------------------------------

  @Override
  public Tensor forward(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias) {
    return forwardByLayers(ops, p, ids, positions, attnBias);
  }

  /**
   * Token embeddings {@code [B, T, D]} (no position embedding); the shared tensors are RoPE's cosines
   * and sines for these positions, {@code [B, 1, T, head_dim]} each.
   */
  @Override
  public Embedded embed(TensorOps ops, Parameters p, Tensor ids, Tensor positions) {
    Tensor[] rope = Rope.cosSin(ops, c.invFreq(), positions(ops, ids, positions));
    return new Embedded(ops.embedding(p.get(name("model.embed_tokens.weight")), ids), List.of(rope));
  }

  @Override
  public Tensor block(TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor attnBias) {
    Qkv a = qkv(ops, p, layer, x, e);
    return finishBlock(ops, p, layer, x, a.q, a.k, a.v, attnBias);
  }

  /** Final RMSNorm and the output projection (the embedding when tied): {@code [B, T, V]}. */
  @Override
  public Tensor head(TensorOps ops, Parameters p, Tensor x) {
    Tensor h = ops.rmsNorm(x, p.get(name("model.norm.weight")), c.rmsNormEps());
    Tensor w = p.get(name(c.tieEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight"));
    return ops.linear(h, w);
  }

  // ---- generation with a KV cache -------------------------------------------------------------

  @Override
  public DecodeStep prefill(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    return prefillByLayers(ops, p, ids, positions, attnBias, slots);
  }

  @Override
  public DecodeStep decode(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, List<Tensor> cache, Tensor attnBias) {
    return decodeByLayers(ops, p, ids, positions, cache, attnBias);
  }

  @Override
  public BlockStep prefillBlock(
      TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor attnBias, int slots) {
    int t = x.shape().dim(1);
    if (slots < t) {
      throw new IllegalArgumentException("cache of " + slots + " slots cannot hold " + t + " tokens");
    }
    Qkv a = qkv(ops, p, layer, x, e);
    Tensor out = finishBlock(ops, p, layer, x, a.q, a.k, a.v, attnBias);
    return new BlockStep(out, Gpt.rollIn(ops, a.k, slots), Gpt.rollIn(ops, a.v, slots));
  }

  @Override
  public BlockStep decodeBlock(
      TensorOps ops, Parameters p, int layer, Embedded e, Tensor x, Tensor keys, Tensor values, Tensor attnBias) {
    Qkv a = qkv(ops, p, layer, x, e);
    Tensor k = Gpt.roll(ops, keys, a.k);
    Tensor v = Gpt.roll(ops, values, a.v);
    return new BlockStep(finishBlock(ops, p, layer, x, a.q, k, v, attnBias), k, v);
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Queries {@code [B, H, T, Dh]}, keys and values {@code [B, KV, T, Dh]}, RoPE applied. */
  private record Qkv(Tensor q, Tensor k, Tensor v) {}

  private Qkv qkv(TensorOps ops, Parameters p, int layer, Tensor x, Embedded e) {
    Tensor[] rope = {e.shared().get(0), e.shared().get(1)};
    String a = "model.layers." + layer + ".self_attn.";
    Tensor n = ops.rmsNorm(x, p.get(name("model.layers." + layer + ".input_layernorm.weight")), c.rmsNormEps());
    Tensor q = heads(ops, linear(ops, p, a + "q_proj", n, c.qkvBias()), c.heads());
    Tensor k = heads(ops, linear(ops, p, a + "k_proj", n, c.qkvBias()), c.kvHeads());
    Tensor v = heads(ops, linear(ops, p, a + "v_proj", n, c.qkvBias()), c.kvHeads());
    if (c.qkNorm()) {
      q = ops.rmsNorm(q, p.get(name(a + "q_norm.weight")), c.rmsNormEps());
      k = ops.rmsNorm(k, p.get(name(a + "k_norm.weight")), c.rmsNormEps());
    }
    return new Qkv(Rope.apply(ops, q, rope), Rope.apply(ops, k, rope), v);
  }

  /** Attention over the given keys and values, the output projection and residual, then the MLP. */
  private Tensor finishBlock(
      TensorOps ops, Parameters p, int layer, Tensor x, Tensor q, Tensor k, Tensor v, Tensor bias) {
    String l = "model.layers." + layer + ".";
    Tensor y = groupedAttend(ops, q, k, v, bias, Attention.scale(c.headDim()));
    Tensor h = ops.add(x, linear(ops, p, l + "self_attn.o_proj", Attention.mergeHeads(ops, y), c.oBias()));
    Tensor n = ops.rmsNorm(h, p.get(name(l + "post_attention_layernorm.weight")), c.rmsNormEps());
    Tensor gate = ops.silu(linear(ops, p, l + "mlp.gate_proj", n, c.mlpBias()));
    Tensor up = linear(ops, p, l + "mlp.up_proj", n, c.mlpBias());
    return ops.add(h, linear(ops, p, l + "mlp.down_proj", ops.mul(gate, up), c.mlpBias()));
  }

  /**
   * {@link Attention#attend} with {@code KV} key/value heads for {@code H} query heads: each group of
   * {@code G = H / KV} consecutive query heads is folded into the query positions ({@code [B, KV, G
   * T, Dh]}), so that keys and values are used as they are rather than repeated G times, which
   * would copy them and keep the copies for the backward pass. Falls back to repeating them for a
   * bias whose head axis is neither 1 nor H.
   */
  private Tensor groupedAttend(TensorOps ops, Tensor q, Tensor k, Tensor v, Tensor bias, float scale) {
    int h = c.heads();
    int kv = c.kvHeads();
    int g = h / kv;
    Tensor grouped = g == 1 ? bias : groupBias(ops, bias, kv, g);
    if (grouped == null) {
      return Attention.attend(ops, q, repeatKv(ops, k), repeatKv(ops, v), bias, scale);
    }
    if (g == 1) {
      return Attention.attend(ops, q, k, v, bias, scale);
    }
    int b = q.shape().dim(0);
    int t = q.shape().dim(2);
    int dh = q.shape().dim(3);
    int s = k.shape().dim(2);
    Tensor scores = ops.matmul(ops.reshape(q, b, kv, g * t, dh), ops.transpose(k, 0, 1, 3, 2));
    if (scale != 1f) {
      scores = ops.mul(scores, scale);
    }
    Tensor weights = ops.softmax(ops.add(ops.reshape(scores, b, kv, g, t, s), grouped), -1);
    Tensor y = ops.matmul(ops.reshape(weights, b, kv, g * t, s), v);
    return ops.reshape(y, b, h, t, dh);
  }

  /**
   * A bias broadcastable to {@code [B, H, T, S]} reshaped to broadcast over {@code [B, KV, G, T, S]},
   * or null when its head axis is neither 1 nor H.
   */
  private static Tensor groupBias(TensorOps ops, Tensor bias, int kv, int g) {
    int[] d = bias.shape().dims();
    int h = kv * g;
    return switch (d.length) {
      case 0, 1, 2 -> bias; // broadcasts over the leading axes as it is
      case 3 -> d[0] == 1 ? bias : d[0] == h ? ops.reshape(bias, kv, g, d[1], d[2]) : null;
      case 4 -> d[1] == 1 ? ops.reshape(bias, d[0], 1, 1, d[2], d[3])
          : d[1] == h ? ops.reshape(bias, d[0], kv, g, d[2], d[3]) : null;
      default -> null;
    };
  }

  /** {@code [B, KV, S, Dh] -> [B, H, S, Dh]}, each KV head repeated for its group of query heads. */
  private Tensor repeatKv(TensorOps ops, Tensor x) {
    int r = c.heads() / c.kvHeads();
    if (r == 1) {
      return x;
    }
    int b = x.shape().dim(0);
    int s = x.shape().dim(2);
    int dh = x.shape().dim(3);
    Tensor e = ops.broadcastTo(ops.reshape(x, b, c.kvHeads(), 1, s, dh), b, c.kvHeads(), r, s, dh);
    return ops.reshape(e, b, c.heads(), s, dh);
  }

  /** {@code [B, T, n * Dh] -> [B, n, T, Dh]}. */
  private Tensor heads(TensorOps ops, Tensor x, int n) {
    int b = x.shape().dim(0);
    int t = x.shape().dim(1);
    return ops.transpose(ops.reshape(x, b, t, n, c.headDim()), 0, 2, 1, 3);
  }

  private Tensor linear(TensorOps ops, Parameters p, String local, Tensor x, boolean bias) {
    Tensor y = p.linear(ops, name(local + ".weight"), x, false);
    return bias ? ops.add(y, p.get(name(local + ".bias"))) : y;
  }

  private static Tensor positions(TensorOps ops, Tensor ids, Tensor positions) {
    if (positions != null) {
      return positions;
    }
    int b = ids.shape().dim(0);
    int t = ids.shape().dim(1);
    int[] pos = new int[b * t];
    for (int i = 0; i < pos.length; i++) {
      pos[i] = i % t;
    }
    return ops.constant(HostTensor.ofInts(pos, b, t));
  }

  private void linear(Map<String, Shape> w, String local, int out, int in, boolean bias) {
    w.put(name(local + ".weight"), Shape.of(out, in));
    if (bias) {
      w.put(name(local + ".bias"), Shape.of(out));
    }
  }
}
