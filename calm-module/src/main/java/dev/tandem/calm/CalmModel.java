package dev.tandem.calm;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.Attention;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.LayeredLM;
import dev.tandem.api.model.Masks;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The CALM composition as a {@link CausalLM}: a frozen anchor model (parameters {@code anchor.*}),
 * frozen augmenting models ({@code augment0.*}, ...) of any family with layer-level access ({@link
 * LayeredLM}: GPT-2, the Llama family; widths may differ) and, per {@link Connection}, trainable
 * parameters {@code calm.<c>.*}:
 *
 * <ul>
 *   <li>{@code ln_kv} and {@code proj}: a LayerNorm over the augmenting hidden state {@code H_A^i},
 *       then f_proj, a linear map with bias from {@code d_A} to {@code d_B} (the LayerNorms here and
 *       on the query side are not in the paper: {@link Options#layerNorms()} switches them off);
 *   <li>{@code ln_q}, {@code q}, {@code kv}, {@code out}: multi-head cross-attention with the
 *       anchor's number of heads (or {@link Options#heads()}), queries from {@code LN(H_B^j)}, keys and values from the projected
 *       augmenting states, and an output projection initialised to zero, so that the composition
 *       starts out exactly equal to the anchor; no biases, as in the Transformer's attention (a key
 *       bias could not change the softmax anyway);
 *   <li>{@code calm.recency}, shared by all connections: ALiBi's recency bias {@code -m_h (t - s)}
 *       with trainable slopes, which lets a connection find the augmenting model's state at the
 *       anchor's own position quickly (without it, learned absolute positions had to be matched
 *       across two separately trained models); not in the paper, {@link Options#recency()}
 *       switches it off.
 * </ul>
 *
 * The result is added to {@code H_B^j}, which feeds anchor block {@code j+1} (or the head). Anchor
 * position {@code t} sees augmenting positions {@code <= t} that are not padding: the cross-attention
 * uses the self-attention bias. The cross-attention itself is the anchor's attention unit ({@link
 * Attention}), between these projections. Augmenting models run only up to their last connected
 * block.
 *
 * <p>Generation keeps separate KV caches: the anchor's, each augmenting model's (its connected
 * blocks), and per connection the keys and values of the projected augmenting states (one tensor
 * {@code [2B, H, S, Dh]}, the keys in rows {@code 0..B-1}), all rolling windows of the same slots. Cache order: anchor
 * layers (keys, values), augmenting models' layers (keys, values), connections, and last, with the
 * recency bias on, its {@code [1, H, 1, S]} term for a decode step's query (the same every step). The query projection
 * carries attention's {@code 1/sqrt(head_dim)} factor.
 */
public final class CalmModel implements CausalLM {
  private final LayeredLM anchor;
  private final List<LayeredLM> augments;
  private final List<Connection> connections;
  private final ModelConfig config;
  private final int[] depth;
  private final Options options;
  /** Cross-attention heads and their width. */
  private final int heads;
  private final int headDim;

  /**
   * The switches between the paper's connection and ours: the paper has neither LayerNorm nor a
   * recency bias, and uses the anchor's number of heads.
   *
   * @param layerNorms a LayerNorm before f_proj and before the query projection (ours; the paper
   *     has none)
   * @param recency ALiBi's recency bias with trainable slopes in the cross-attention (ours)
   * @param heads cross-attention heads; 0 for the anchor's number (the paper); must divide the
   *     anchor's width
   */
  public record Options(boolean layerNorms, boolean recency, int heads) {
    /** Ours: both LayerNorms, the recency bias, the anchor's heads (what compositions saved before these switches used). */
    public static final Options DEFAULT = new Options(true, true, 0);

    /** As the paper describes it: no LayerNorms, no recency bias, the anchor's heads. */
    public static final Options PAPER = new Options(false, false, 0);

    public Options {
      if (heads < 0) {
        throw new IllegalArgumentException("cross-attention heads must be >= 0 (0: the anchor's), not " + heads);
      }
    }
  }

  /** The recency slopes of the cross-attention, {@code [H, 1, 1]}, shared by all connections. */
  public static final String RECENCY = "calm.recency";

  /**
   * @param anchorConfig the anchor's shape
   * @param augmentConfigs each augmenting model's shape, in order
   * @param connections the connections (validated against the shapes)
   */
  public CalmModel(ModelConfig anchorConfig, List<ModelConfig> augmentConfigs, List<Connection> connections) {
    this(new Gpt(anchorConfig, "anchor."), gpts(augmentConfigs), connections);
  }

  private static List<LayeredLM> gpts(List<ModelConfig> configs) {
    List<LayeredLM> out = new ArrayList<>();
    for (int i = 0; i < configs.size(); i++) {
      out.add(new Gpt(configs.get(i), "augment" + i + "."));
    }
    return out;
  }

  /**
   * A composition of base models of any family with layer-level access (GPT-2, the Llama family):
   * the anchor's parameters must be named {@code anchor.*}, augmenting model {@code i}'s {@code
   * augment<i>.*}.
   *
   * @param anchor the anchor model
   * @param augments the augmenting models, in order
   * @param connections the connections (validated against the models' depths)
   */
  public CalmModel(LayeredLM anchor, List<LayeredLM> augments, List<Connection> connections) {
    this(anchor, augments, connections, Options.DEFAULT);
  }

  /**
   * As {@link #CalmModel(LayeredLM, List, List)}, with the connection's switches.
   *
   * @param options LayerNorms, recency bias and heads of the cross-attention
   */
  public CalmModel(LayeredLM anchor, List<LayeredLM> augments, List<Connection> connections, Options options) {
    if (augments.isEmpty()) {
      throw new IllegalArgumentException("CALM needs at least one augmenting model");
    }
    if (connections.isEmpty()) {
      throw new IllegalArgumentException("CALM needs at least one connection");
    }
    ModelConfig anchorConfig = anchor.config();
    this.options = options;
    this.heads = options.heads() == 0 ? anchorConfig.nHead() : options.heads();
    if (anchorConfig.nEmbd() % heads != 0) {
      throw new IllegalArgumentException(heads + " cross-attention heads do not divide the anchor's width " + anchorConfig.nEmbd());
    }
    this.headDim = anchorConfig.nEmbd() / heads;
    this.anchor = anchor;
    this.augments = List.copyOf(augments);
    this.depth = new int[augments.size()];
    for (Connection c : connections) {
      if (c.augment() >= augments.size()) {
        throw new IllegalArgumentException(
            "connection " + c + " names augmenting model " + c.augment() + ", but there are " + augments.size());
      }
      int na = augments.get(c.augment()).config().nLayer();
      if (c.augmentLayer() >= na) {
        throw new IllegalArgumentException(
            "connection " + c + ": augmenting model " + c.augment() + " has layers 0.." + (na - 1));
      }
      if (c.anchorLayer() >= anchorConfig.nLayer()) {
        throw new IllegalArgumentException(
            "connection " + c + ": the anchor has layers 0.." + (anchorConfig.nLayer() - 1));
      }
      depth[c.augment()] = Math.max(depth[c.augment()], c.augmentLayer() + 1);
    }
    this.connections = List.copyOf(connections);
    int ctx = anchorConfig.nPositions();
    for (LayeredLM a : augments) {
      ctx = Math.min(ctx, a.config().nPositions());
    }
    this.config =
        new ModelConfig(
            anchorConfig.vocabSize(), anchorConfig.nLayer(), anchorConfig.nHead(), anchorConfig.nEmbd(), ctx,
            anchorConfig.layerNormEpsilon());
  }

  /** The anchor's shape, with the context of the shortest model. */
  @Override
  public ModelConfig config() {
    return config;
  }

  /** The connection's switches. */
  public Options options() {
    return options;
  }

  /** The connections, in order ({@code calm.<index>.*}). */
  public List<Connection> connections() {
    return connections;
  }

  /** Name of a connection parameter, e.g. {@code calm.0.proj.weight}. */
  public static String name(int connection, String local) {
    return "calm." + connection + "." + local;
  }

  /** Initial values of the connection parameters only (the trainable set). */
  public Map<String, HostTensor> connectionWeights(long seed) {
    Random rng = new Random(seed);
    int db = anchor.config().nEmbd();
    Map<String, HostTensor> w = new LinkedHashMap<>();
    if (options.recency()) {
      w.put(RECENCY, alibi(heads));
    }
    for (int c = 0; c < connections.size(); c++) {
      int da = augments.get(connections.get(c).augment()).config().nEmbd();
      if (options.layerNorms()) {
        w.put(name(c, "ln_kv.weight"), fill(1f, da));
        w.put(name(c, "ln_kv.bias"), fill(0f, da));
      }
      w.put(name(c, "proj.weight"), normal(rng, (float) (1 / Math.sqrt(da)), da, db));
      w.put(name(c, "proj.bias"), fill(0f, db));
      if (options.layerNorms()) {
        w.put(name(c, "ln_q.weight"), fill(1f, db));
        w.put(name(c, "ln_q.bias"), fill(0f, db));
      }
      // the query projection carries attention's 1/sqrt(head_dim) factor: one op less per step
      w.put(name(c, "q.weight"), normal(rng, (float) (1 / Math.sqrt(db) / Math.sqrt(headDim)), db, db));
      // no bias: a key bias cannot change a softmax, a value bias is out.bias's job
      w.put(name(c, "kv.weight"), normal(rng, (float) (1 / Math.sqrt(db)), db, 2 * db));
      w.put(name(c, "out.weight"), HostTensor.zeros(db, db));
    }
    return w;
  }

  /** Random bases (from {@code seed}) plus the connection parameters: every parameter. */
  @Override
  public Map<String, HostTensor> initialWeights(long seed) {
    Map<String, HostTensor> w = new LinkedHashMap<>(anchor.initialWeights(seed));
    for (int i = 0; i < augments.size(); i++) {
      w.putAll(augments.get(i).initialWeights(seed + 1 + i));
    }
    w.putAll(connectionWeights(seed));
    return w;
  }

  // ---- the forward pass -----------------------------------------------------------------------

  @Override
  public Tensor forward(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias) {
    int t = ids.shape().dim(1);
    Tensor bias = attnBias != null ? attnBias : ops.constant(Masks.causal(t));
    List<List<Tensor>> states = new ArrayList<>();
    for (int a = 0; a < augments.size(); a++) {
      LayeredLM g = augments.get(a);
      List<Tensor> hs = new ArrayList<>();
      if (depth[a] > 0) {
        LayeredLM.Embedded ge = g.embed(ops, p, ids, positions);
        Tensor x = ge.hidden();
        for (int l = 0; l < depth[a]; l++) {
          Tensor in = x;
          int layer = l;
          x = ops.tidy(() -> g.block(ops, p, layer, ge, in, bias)); // one layer's temporaries at a time
          hs.add(x);
        }
      }
      states.add(hs);
    }
    Tensor cross = crossBias(ops, p, bias, t, t);
    LayeredLM.Embedded ae = anchor.embed(ops, p, ids, positions);
    Tensor x = ae.hidden();
    for (int l = 0; l < anchor.config().nLayer(); l++) {
      Tensor in = x;
      int layer = l;
      x = ops.tidy(() -> anchor.block(ops, p, layer, ae, in, bias));
      for (int c = 0; c < connections.size(); c++) {
        Connection conn = connections.get(c);
        if (conn.anchorLayer() == l) {
          Tensor[] kv = keysValues(ops, p, c, states.get(conn.augment()).get(conn.augmentLayer()));
          x = ops.add(x, attend(ops, p, c, x, kv[0], kv[1], cross));
        }
      }
    }
    return anchor.head(ops, p, x);
  }

  // ---- generation -----------------------------------------------------------------------------

  @Override
  public DecodeStep prefill(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    List<Tensor> augCache = new ArrayList<>();
    List<List<Tensor>> states = new ArrayList<>();
    for (int a = 0; a < augments.size(); a++) {
      LayeredLM g = augments.get(a);
      List<Tensor> hs = new ArrayList<>();
      if (depth[a] > 0) {
        LayeredLM.Embedded ge = g.embed(ops, p, ids, positions);
        Tensor x = ge.hidden();
        for (int l = 0; l < depth[a]; l++) {
          LayeredLM.BlockStep s = g.prefillBlock(ops, p, l, ge, x, attnBias, slots);
          x = s.hidden();
          hs.add(x);
          augCache.add(s.keys());
          augCache.add(s.values());
        }
      }
      states.add(hs);
    }
    List<Tensor> cache = new ArrayList<>();
    List<Tensor> connCache = new ArrayList<>();
    int t = ids.shape().dim(1);
    Tensor cross = crossBias(ops, p, attnBias, t, t);
    LayeredLM.Embedded ae = anchor.embed(ops, p, ids, positions);
    Tensor x = ae.hidden();
    for (int l = 0; l < anchor.config().nLayer(); l++) {
      LayeredLM.BlockStep s = anchor.prefillBlock(ops, p, l, ae, x, attnBias, slots);
      x = s.hidden();
      cache.add(s.keys());
      cache.add(s.values());
      for (int c = 0; c < connections.size(); c++) {
        Connection conn = connections.get(c);
        if (conn.anchorLayer() == l) {
          Tensor[] kv = keysValues(ops, p, c, states.get(conn.augment()).get(conn.augmentLayer()));
          x = ops.add(x, attend(ops, p, c, x, kv[0], kv[1], cross));
          // keys and values of a connection share one cache tensor [2B, H, S, Dh] (keys in rows
          // 0..B-1): one roll per step, and each half a contiguous slice for the attention's matmuls
          connCache.add(Gpt.rollIn(ops, ops.concat(List.of(kv[0], kv[1]), 0), slots));
        }
      }
    }
    cache.addAll(augCache);
    cache.addAll(reorder(connCache));
    if (options.recency()) {
      // every decode step has one query in the last slot of the window: its recency term is the
      // same each step, computed once here and carried in the cache
      cache.add(recencyTerm(ops, p, 1, slots));
    }
    return new DecodeStep(anchor.head(ops, p, x), cache);
  }

  @Override
  public DecodeStep decode(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, List<Tensor> cache, Tensor attnBias) {
    int nb = anchor.config().nLayer();
    int augEntries = 0;
    for (int d : depth) {
      augEntries += 2 * d;
    }
    int expected = 2 * nb + augEntries + connections.size() + (options.recency() ? 1 : 0);
    if (cache.size() != expected) {
      throw new IllegalArgumentException("expected " + expected + " cache tensors, got " + cache.size());
    }
    List<Tensor> augNext = new ArrayList<>();
    List<List<Tensor>> states = new ArrayList<>();
    int at = 2 * nb;
    for (int a = 0; a < augments.size(); a++) {
      LayeredLM g = augments.get(a);
      List<Tensor> hs = new ArrayList<>();
      if (depth[a] > 0) {
        LayeredLM.Embedded ge = g.embed(ops, p, ids, positions);
        Tensor x = ge.hidden();
        for (int l = 0; l < depth[a]; l++) {
          LayeredLM.BlockStep s = g.decodeBlock(ops, p, l, ge, x, cache.get(at), cache.get(at + 1), attnBias);
          at += 2;
          x = s.hidden();
          hs.add(x);
          augNext.add(s.keys());
          augNext.add(s.values());
        }
      }
      states.add(hs);
    }
    int connBase = at;
    Tensor[] connNext = new Tensor[connections.size()];
    List<Tensor> next = new ArrayList<>();
    Tensor recency = options.recency() ? cache.get(cache.size() - 1) : null;
    Tensor cross = recency == null ? attnBias : ops.add(attnBias, recency);
    LayeredLM.Embedded ae = anchor.embed(ops, p, ids, positions);
    Tensor x = ae.hidden();
    for (int l = 0; l < nb; l++) {
      LayeredLM.BlockStep s = anchor.decodeBlock(ops, p, l, ae, x, cache.get(2 * l), cache.get(2 * l + 1), attnBias);
      x = s.hidden();
      next.add(s.keys());
      next.add(s.values());
      for (int c = 0; c < connections.size(); c++) {
        Connection conn = connections.get(c);
        if (conn.anchorLayer() == l) {
          Tensor kv = Gpt.roll(ops, cache.get(connBase + c), newKeysValues(ops, p, c, states.get(conn.augment()).get(conn.augmentLayer())));
          x = ops.add(x, attendOne(ops, p, c, x, kv, cross));
          connNext[c] = kv;
        }
      }
    }
    next.addAll(augNext);
    next.addAll(List.of(connNext));
    if (recency != null) {
      next.add(recency);
    }
    return new DecodeStep(anchor.head(ops, p, x), next);
  }

  /** Connection caches were collected in anchor-layer order; the cache holds them by index. */
  private List<Tensor> reorder(List<Tensor> byLayer) {
    Tensor[] out = new Tensor[connections.size()];
    int i = 0;
    for (int l = 0; l < anchor.config().nLayer(); l++) {
      for (int c = 0; c < connections.size(); c++) {
        if (connections.get(c).anchorLayer() == l) {
          out[c] = byLayer.get(i++);
        }
      }
    }
    return List.of(out);
  }

  // ---- the cross-attention --------------------------------------------------------------------

  /** Keys and values {@code [B, H, T, Dh]} of connection {@code c} from an augmenting state. */
  private Tensor[] keysValues(TensorOps ops, Parameters p, int c, Tensor augState) {
    int d = anchor.config().nEmbd();
    Tensor projected = linear(ops, p, c, "proj", norm(ops, p, c, "ln_kv", augState));
    Tensor kv = ops.matmul(projected, p.get(name(c, "kv.weight")));
    return new Tensor[] {heads(ops, ops.slice(kv, -1, 0, d)), heads(ops, ops.slice(kv, -1, d, 2 * d))};
  }

  /**
   * Keys and values of one new token ({@code [B, 1, dA]}) of connection {@code c}, as one {@code
   * [2B, H, 1, Dh]} tensor (keys in rows {@code 0..B-1}): for one position the head split is a
   * reshape, and one small copy puts keys before values.
   */
  private Tensor newKeysValues(TensorOps ops, Parameters p, int c, Tensor augState) {
    Tensor kv = ops.matmul(linear(ops, p, c, "proj", norm(ops, p, c, "ln_kv", augState)), p.get(name(c, "kv.weight")));
    int b = kv.shape().dim(0);
    return ops.reshape(ops.transpose(ops.reshape(kv, b, 2, heads, headDim), 1, 0, 2, 3), 2 * b, heads, 1, headDim);
  }

  /**
   * {@link #attend} for one anchor position ({@code x} is {@code [B, 1, D]}) over a cache window
   * {@code [2B, H, S, Dh]} of keys (rows {@code 0..B-1}) and values: the same function with fewer
   * ops.
   */
  private Tensor attendOne(TensorOps ops, Parameters p, int c, Tensor x, Tensor kv, Tensor bias) {
    ModelConfig ac = anchor.config();
    int b = x.shape().dim(0);
    int h = heads;
    Tensor q = ops.reshape(ops.matmul(norm(ops, p, c, "ln_q", x), p.get(name(c, "q.weight"))), b, h, 1, headDim);
    Tensor k = ops.slice(kv, 0, 0, b);
    Tensor v = ops.slice(kv, 0, b, 2 * b);
    // the query weights carry the 1/sqrt(head_dim) factor: scale 1; for one position a reshape
    // merges the heads
    Tensor y = ops.reshape(Attention.attend(ops, q, k, v, bias, 1f), b, 1, ac.nEmbd());
    return ops.matmul(y, p.get(name(c, "out.weight")));
  }

  /** The cross-attention's contribution {@code [B, T, D]} to the anchor state {@code x}. */
  private Tensor attend(TensorOps ops, Parameters p, int c, Tensor x, Tensor k, Tensor v, Tensor bias) {
    Tensor q = heads(ops, ops.matmul(norm(ops, p, c, "ln_q", x), p.get(name(c, "q.weight"))));
    // the anchor's attention unit; the query weights carry the 1/sqrt(head_dim) factor: scale 1
    Tensor merged = Attention.mergeHeads(ops, Attention.attend(ops, q, k, v, bias, 1f));
    return ops.matmul(merged, p.get(name(c, "out.weight")));
  }

  /**
   * The cross-attention bias of every connection: the self-attention bias (causal, padding) plus a
   * recency bias {@code -slope_h * (t - s)} for {@code tq} queries in the last {@code tq} of {@code
   * s} slots (ALiBi, with trainable slopes shared by the connections): {@code [B, H, tq, s]}.
   */
  private Tensor crossBias(TensorOps ops, Parameters p, Tensor bias, int tq, int s) {
    return options.recency() ? ops.add(bias, recencyTerm(ops, p, tq, s)) : bias;
  }

  /** The recency bias alone, {@code -slope_h * (t - s)}, {@code [1, H, tq, s]}. */
  private Tensor recencyTerm(TensorOps ops, Parameters p, int tq, int s) {
    float[] d = new float[tq * s];
    for (int t = 0; t < tq; t++) {
      int slot = s - tq + t;
      for (int j = 0; j < s; j++) {
        d[t * s + j] = j - slot;
      }
    }
    return ops.mul(p.get(RECENCY), ops.constant(HostTensor.of(d, 1, 1, tq, s)));
  }

  /** ALiBi's slopes {@code 2^(-8 (h + 1) / H)}, as {@code [H, 1, 1]}. */
  private static HostTensor alibi(int heads) {
    float[] v = new float[heads];
    for (int h = 0; h < heads; h++) {
      v[h] = (float) Math.pow(2, -8.0 * (h + 1) / heads);
    }
    return HostTensor.of(v, heads, 1, 1);
  }

  private static Tensor linear(TensorOps ops, Parameters p, int c, String local, Tensor x) {
    return ops.add(ops.matmul(x, p.get(name(c, local + ".weight"))), p.get(name(c, local + ".bias")));
  }

  /** {@code [B, T, D] -> [B, H, T, Dh]} with the cross-attention's heads. */
  private Tensor heads(TensorOps ops, Tensor x) {
    return Attention.splitHeads(ops, x, heads);
  }

  /** LayerNorm {@code ln} of connection {@code c} over {@code x}, or {@code x} itself when the switch is off. */
  private Tensor norm(TensorOps ops, Parameters p, int c, String ln, Tensor x) {
    if (!options.layerNorms()) {
      return x;
    }
    return ops.layerNorm(x, p.get(name(c, ln + ".weight")), p.get(name(c, ln + ".bias")), anchor.config().layerNormEpsilon());
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
