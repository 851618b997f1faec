package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** RMSProp as in PyTorch ({@code alpha} the smoothing constant, no momentum): SPIN's optimizer. */
public record RmsProp(float alpha, float eps, float weightDecay) implements Optimizer {
  public static RmsProp defaults() {
    return new RmsProp(0.99f, 1e-8f, 0f);
  }

  @Override
  public String name() {
    return "rmsprop";
  }

  @Override
  public List<String> stateNames() {
    return List.of("v");
  }

  @Override
  public Map<String, Tensor> update(
      TensorOps ops, Tensor p, Tensor g, Map<String, Tensor> s, Tensor lr, Tensor step) {
    if (weightDecay > 0) {
      g = ops.add(g, ops.mul(p, weightDecay));
    }
    Tensor v = ops.add(ops.mul(s.get("v"), alpha), ops.mul(ops.square(g), 1 - alpha));
    Tensor next = ops.sub(p, ops.mul(ops.div(g, ops.add(ops.sqrt(v), eps)), lr));
    return Map.of("param", next, "v", v);
  }

  /** The engine's fused RMSProp ({@link FusedKernels#rmsProp}) when it has one. */
  @Override
  public OptionalDouble applyFused(FusedKernels kernels, FusedStep step) {
    return kernels.rmsProp(step, step.state("v"), alpha, eps, weightDecay);
  }
}
