package dev.tandem.calm;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.ParametersView;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * LoRA on a frozen anchor GPT ({@code anchor.*}): each adapted projection {@code W} ({@code [in,
 * out]}) becomes {@code W + scale * A B} with trainable {@code A} ({@code [in, r]}, random) and
 * {@code B} ({@code [r, out]}, zero, so the model starts as the anchor), named {@code
 * lora.h.<l>.<target>.lora_A} and {@code ...lora_B}. The adapted weight is formed once per call,
 * which is the same function as adding {@code x A B} to {@code x W}, and {@link #merge} folds it into
 * plain weights for inference at the anchor's cost.
 */
public final class LoraModel implements CausalLM {
  /** The anchor's projections LoRA adapts by default: all of them. */
  public static final List<String> DEFAULT_TARGETS = List.of("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj");

  private final Gpt anchor;
  private final int rank;
  private final float scale;
  private final List<String> targets;
  /** Adapted weight name (prefixed) -> {A, B} names. */
  private final Map<String, String[]> adapters = new LinkedHashMap<>();

  /**
   * @param rank r
   * @param alpha the scale is {@code alpha / r}
   * @param targets projections of each block, e.g. {@code attn.c_attn}
   */
  public LoraModel(ModelConfig anchorConfig, int rank, float alpha, List<String> targets) {
    if (rank < 1) {
      throw new IllegalArgumentException("LoRA rank must be >= 1, not " + rank);
    }
    for (String t : targets) {
      if (!DEFAULT_TARGETS.contains(t)) {
        throw new IllegalArgumentException("unknown LoRA target '" + t + "', known: " + DEFAULT_TARGETS);
      }
    }
    this.anchor = new Gpt(anchorConfig, "anchor.");
    this.rank = rank;
    this.scale = alpha / rank;
    this.targets = List.copyOf(targets);
    for (int l = 0; l < anchorConfig.nLayer(); l++) {
      for (String t : targets) {
        String local = "h." + l + "." + t;
        adapters.put(anchor.name(local + ".weight"), new String[] {"lora." + local + ".lora_A", "lora." + local + ".lora_B"});
      }
    }
  }

  @Override
  public ModelConfig config() {
    return anchor.config();
  }

  /** Trainable parameters per unit of rank (for matching another method's budget). */
  public static long parametersPerRank(ModelConfig c, List<String> targets) {
    long per = 0;
    int d = c.nEmbd();
    for (String t : targets) {
      per +=
          switch (t) {
            case "attn.c_attn" -> d + 3L * d;
            case "attn.c_proj" -> 2L * d;
            case "mlp.c_fc" -> d + (long) c.nInner();
            case "mlp.c_proj" -> (long) c.nInner() + d;
            default -> throw new IllegalArgumentException(t);
          };
    }
    return per * c.nLayer();
  }

  /** Initial adapter values: {@code A ~ U(-1/sqrt(in), 1/sqrt(in))}, {@code B = 0}. */
  public Map<String, HostTensor> adapterWeights(long seed, Map<String, Shape> anchorShapes) {
    Random rng = new Random(seed);
    Map<String, HostTensor> w = new LinkedHashMap<>();
    for (var e : adapters.entrySet()) {
      Shape s = anchorShapes.get(e.getKey());
      int in = s.dim(0);
      int out = s.dim(1);
      float bound = (float) (1 / Math.sqrt(in));
      float[] a = new float[in * rank];
      for (int i = 0; i < a.length; i++) {
        a[i] = (rng.nextFloat() * 2 - 1) * bound;
      }
      w.put(e.getValue()[0], HostTensor.of(a, in, rank));
      w.put(e.getValue()[1], HostTensor.zeros(rank, out));
    }
    return w;
  }

  /** The anchor's random init plus the adapters: every parameter. */
  @Override
  public Map<String, HostTensor> initialWeights(long seed) {
    Map<String, HostTensor> w = new LinkedHashMap<>(anchor.initialWeights(seed));
    Map<String, Shape> shapes = new HashMap<>();
    w.forEach((k, v) -> shapes.put(k, v.shape()));
    w.putAll(adapterWeights(seed, shapes));
    return w;
  }

  /**
   * Plain, unprefixed GPT weights with the adapters folded in: {@code W + scale * A B}, computed on
   * the host in double precision.
   *
   * @param anchorWeights the anchor's own weights (unprefixed)
   * @param adapterValues the trained adapters (other entries are ignored)
   */
  public Map<String, HostTensor> merge(Map<String, HostTensor> anchorWeights, Map<String, HostTensor> adapterValues) {
    Map<String, HostTensor> out = new LinkedHashMap<>(anchorWeights);
    for (var e : adapters.entrySet()) {
      String local = e.getKey().substring("anchor.".length());
      HostTensor w = anchorWeights.get(local);
      HostTensor a = adapterValues.get(e.getValue()[0]);
      HostTensor b = adapterValues.get(e.getValue()[1]);
      if (w == null || a == null || b == null) {
        throw new IllegalArgumentException("cannot merge " + local + ": weight or adapter missing");
      }
      int in = w.shape().dim(0);
      int outDim = w.shape().dim(1);
      float[] wv = w.floats();
      float[] av = a.floats();
      float[] bv = b.floats();
      float[] m = new float[wv.length];
      for (int i = 0; i < in; i++) {
        for (int j = 0; j < outDim; j++) {
          double s = 0;
          for (int r = 0; r < rank; r++) {
            s += (double) av[i * rank + r] * bv[r * outDim + j];
          }
          m[i * outDim + j] = (float) (wv[i * outDim + j] + scale * s);
        }
      }
      out.put(local, HostTensor.of(m, in, outDim));
    }
    return out;
  }

  @Override
  public Tensor forward(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias) {
    return anchor.forward(ops, adapted(ops, p), ids, positions, attnBias);
  }

  @Override
  public DecodeStep prefill(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    return anchor.prefill(ops, adapted(ops, p), ids, positions, attnBias, slots);
  }

  @Override
  public DecodeStep decode(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, List<Tensor> cache, Tensor attnBias) {
    return anchor.decode(ops, adapted(ops, p), ids, positions, cache, attnBias);
  }

  private Parameters adapted(TensorOps ops, Parameters p) {
    return new Adapted(ops, p);
  }

  /** The parameters as the anchor sees them: adapted weights formed with this call's ops. */
  private final class Adapted extends ParametersView {
    private final TensorOps ops;
    private final Map<String, Tensor> formed = new HashMap<>();

    Adapted(TensorOps ops, Parameters base) {
      super(base);
      this.ops = ops;
    }

    @Override
    public Tensor get(String name) {
      String[] ab = adapters.get(name);
      if (ab == null) {
        return base.get(name);
      }
      return formed.computeIfAbsent(
          name, n -> ops.add(base.get(n), ops.mul(ops.matmul(base.get(ab[0]), base.get(ab[1])), scale)));
    }
  }
}
