package dev.tandem.api.adapter;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A base model with a LoRA adapter: every call runs the base's own code over {@link
 * LoraParameters}, so forward, KV-cache prefill and decode are the base's, for any family.
 */
public final class AdaptedLM implements CausalLM {
  private final CausalLM base;
  private final LoraAdapter adapter;

  public AdaptedLM(CausalLM base, LoraAdapter adapter) {
    this.base = base;
    this.adapter = adapter;
  }

  /** The base model. */
  public CausalLM base() {
    return base;
  }

  /** The adapter. */
  public LoraAdapter adapter() {
    return adapter;
  }

  @Override
  public ModelConfig config() {
    return base.config();
  }

  @Override
  public Map<String, HostTensor> initialWeights(long seed) {
    Map<String, HostTensor> w = new LinkedHashMap<>(base.initialWeights(seed));
    w.putAll(adapter.initialValues(seed));
    return w;
  }

  @Override
  public Map<String, Shape> parameterShapes() {
    Map<String, Shape> s = new LinkedHashMap<>(base.parameterShapes());
    s.putAll(adapter.shapes());
    return s;
  }

  @Override
  public Tensor forward(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias) {
    return base.forward(ops, new LoraParameters(p, ops, adapter), ids, positions, attnBias);
  }

  @Override
  public Tensor tokenLogProbs(TensorOps ops, Parameters p, Tensor ids, Tensor targets) {
    return base.tokenLogProbs(ops, new LoraParameters(p, ops, adapter), ids, targets);
  }

  @Override
  public DecodeStep prefill(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    return base.prefill(ops, new LoraParameters(p, ops, adapter), ids, positions, attnBias, slots);
  }

  @Override
  public DecodeStep prefillLast(TensorOps ops, Parameters p, Tensor ids, Tensor positions, Tensor attnBias, int slots) {
    return base.prefillLast(ops, new LoraParameters(p, ops, adapter), ids, positions, attnBias, slots);
  }

  @Override
  public DecodeStep decode(
      TensorOps ops, Parameters p, Tensor ids, Tensor positions, List<Tensor> cache, Tensor attnBias) {
    return base.decode(ops, new LoraParameters(p, ops, adapter), ids, positions, cache, attnBias);
  }
}
