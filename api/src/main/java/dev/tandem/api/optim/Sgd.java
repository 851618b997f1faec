package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Plain stochastic gradient descent. */
public record Sgd() implements Optimizer {
  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public List<String> stateNames() {
    return List.of();
  }

  @Override
  public Map<String, Tensor> update(
      TensorOps ops, Tensor p, Tensor g, Map<String, Tensor> s, Tensor lr, Tensor step) {
    return Map.of("param", ops.sub(p, ops.mul(g, lr)));
  }

  /** The engine's fused SGD ({@link FusedKernels#sgd}) when it has one. */
  @Override
  public OptionalDouble applyFused(FusedKernels kernels, FusedStep step) {
    return kernels.sgd(step);
  }
}
