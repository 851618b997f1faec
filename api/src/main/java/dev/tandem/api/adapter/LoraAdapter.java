package dev.tandem.api.adapter;

import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Which weights of a base model a LoRA adapter adapts, under which PEFT names, and with which
 * layout: the adapter of one base. Parameter names are PEFT's keys ({@code
 * base_model.model.<module>.lora_A.weight}), so an adapter's values are written and read as they
 * are. Written once for every family: a base weight is adapted when its module (the checkpoint name
 * without {@code .weight}) matches a target as PEFT matches it.
 */
public final class LoraAdapter {
  /** PEFT's key prefix for a causal LM's modules. */
  public static final String PEFT_PREFIX = "base_model.model.";

  private static final List<String> NOT_LINEAR = List.of("lm_head", "embed_tokens", "wte", "wpe");

  /**
   * One adapted weight.
   *
   * @param weight the base parameter's name
   * @param a the {@code lora_A} parameter's name, {@code [r, in]}
   * @param b the {@code lora_B} parameter's name, {@code [out, r]}
   * @param in input width
   * @param out output width
   */
  public record Target(String weight, String a, String b, int in, int out) {}

  private final LoraConfig config;
  private final boolean fanInFanOut;
  private final Map<String, Target> byWeight;

  private LoraAdapter(LoraConfig config, boolean fanInFanOut, Map<String, Target> byWeight) {
    this.config = config;
    this.fanInFanOut = fanInFanOut;
    this.byWeight = Collections.unmodifiableMap(byWeight);
  }

  /**
   * The adapter of {@code config} on a base.
   *
   * @param shapes the base's parameters and shapes
   * @param modules each base parameter's module name as transformers names it (e.g. {@code
   *     model.layers.0.self_attn.q_proj} for {@code model.layers.0.self_attn.q_proj.weight})
   * @param fanInFanOut whether the base stores linear weights {@code [in, out]} (GPT-2's Conv1D)
   * @param defaultTargets the family's targets when {@code config.targets()} is empty
   * @throws IllegalArgumentException when a target matches no weight
   */
  public static LoraAdapter of(
      LoraConfig config, Map<String, Shape> shapes, Map<String, String> modules, boolean fanInFanOut, List<String> defaultTargets) {
    List<String> targets = config.targets().isEmpty() ? defaultTargets : config.targets();
    boolean all = targets.equals(List.of(LoraConfig.ALL_LINEAR));
    Map<String, Target> out = new LinkedHashMap<>();
    java.util.Set<String> matched = new java.util.LinkedHashSet<>();
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      String module = modules.get(e.getKey());
      if (module == null || !e.getKey().endsWith(".weight") || e.getValue().rank() != 2) {
        continue;
      }
      String leaf = module.substring(module.lastIndexOf('.') + 1);
      String hit = null;
      if (all) {
        hit = NOT_LINEAR.contains(leaf) ? null : leaf;
      } else {
        for (String t : targets) {
          if (module.equals(t) || module.endsWith("." + t) || (t.startsWith("re:") && Pattern.matches(t.substring(3), module))) {
            hit = t;
            break;
          }
        }
      }
      if (hit == null) {
        continue;
      }
      matched.add(all ? leaf : hit);
      int in = fanInFanOut ? e.getValue().dim(0) : e.getValue().dim(1);
      int outDim = fanInFanOut ? e.getValue().dim(1) : e.getValue().dim(0);
      String peft = PEFT_PREFIX + module;
      out.put(e.getKey(), new Target(e.getKey(), peft + ".lora_A.weight", peft + ".lora_B.weight", in, outDim));
    }
    if (!all) {
      List<String> unmatched = new ArrayList<>(targets);
      unmatched.removeAll(matched);
      if (!unmatched.isEmpty()) {
        throw new IllegalArgumentException("LoRA target(s) " + unmatched + " match no linear weight of the model");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("LoRA targets " + targets + " match no linear weight of the model");
    }
    return new LoraAdapter(config.withTargets(all ? List.copyOf(new java.util.TreeSet<>(matched)) : targets), fanInFanOut, out);
  }

  /** The hyper-parameters, targets resolved. */
  public LoraConfig config() {
    return config;
  }

  /** Whether base weights are {@code [in, out]}. */
  public boolean fanInFanOut() {
    return fanInFanOut;
  }

  /** The adapted weights by base parameter name. */
  public Map<String, Target> targets() {
    return byWeight;
  }

  /** Every adapter parameter's name and shape. */
  public Map<String, Shape> shapes() {
    Map<String, Shape> out = new LinkedHashMap<>();
    for (Target t : byWeight.values()) {
      out.put(t.a(), Shape.of(config.rank(), t.in()));
      out.put(t.b(), Shape.of(t.out(), config.rank()));
    }
    return out;
  }

  /**
   * PEFT's initialisation: {@code A ~ U(-1/sqrt(in), 1/sqrt(in))} (Kaiming-uniform with {@code a =
   * sqrt(5)}), {@code B = 0}. Deterministic in {@code seed}.
   */
  public Map<String, HostTensor> initialValues(long seed) {
    Random rng = new Random(seed);
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (Target t : byWeight.values()) {
      float bound = (float) (1 / Math.sqrt(t.in()));
      float[] a = new float[config.rank() * t.in()];
      for (int i = 0; i < a.length; i++) {
        a[i] = (rng.nextFloat() * 2 - 1) * bound;
      }
      out.put(t.a(), HostTensor.of(a, config.rank(), t.in()));
      out.put(t.b(), HostTensor.zeros(t.out(), config.rank()));
    }
    return out;
  }

  /**
   * The base weights with the adapter folded in, {@code W + scale * B A} (transposed for {@code [in,
   * out]} weights), computed on the host in double precision; unadapted weights are returned as they
   * are.
   */
  public Map<String, HostTensor> merge(Map<String, HostTensor> base, Map<String, HostTensor> adapter) {
    Map<String, HostTensor> out = new LinkedHashMap<>(base);
    int r = config.rank();
    double s = config.scale();
    for (Target t : byWeight.values()) {
      float[] w = base.get(t.weight()).floats();
      float[] a = adapter.get(t.a()).floats();
      float[] b = adapter.get(t.b()).floats();
      float[] m = new float[w.length];
      for (int o = 0; o < t.out(); o++) {
        for (int i = 0; i < t.in(); i++) {
          double d = 0;
          for (int k = 0; k < r; k++) {
            d += (double) b[o * r + k] * a[k * t.in() + i];
          }
          int at = fanInFanOut ? i * t.out() + o : o * t.in() + i;
          m[at] = (float) (w[at] + s * d);
        }
      }
      out.put(t.weight(), HostTensor.of(m, base.get(t.weight()).shape().dims()));
    }
    return out;
  }
}
