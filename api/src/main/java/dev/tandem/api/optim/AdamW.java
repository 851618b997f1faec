package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * AdamW (Loshchilov and Hutter) with bias correction and decoupled weight decay. Decay applies to
 * matrices only (rank >= 2), not to biases and LayerNorm gains, as in GPT-2 and nanoGPT.
 */
public record AdamW(float beta1, float beta2, float eps, float weightDecay) implements Optimizer {
  public static AdamW defaults() {
    return new AdamW(0.9f, 0.999f, 1e-8f, 0.0f);
  }

  @Override
  public String name() {
    return "adamw";
  }

  @Override
  public List<String> stateNames() {
    return List.of("m", "v");
  }

  @Override
  public Map<String, Tensor> update(
      TensorOps ops, Tensor p, Tensor g, Map<String, Tensor> s, Tensor lr, Tensor step) {
    Tensor m = ops.add(ops.mul(s.get("m"), beta1), ops.mul(g, 1 - beta1));
    Tensor v = ops.add(ops.mul(s.get("v"), beta2), ops.mul(ops.square(g), 1 - beta2));
    // bias corrections 1 - beta^t, with beta^t = exp(t ln beta) so that step stays a tensor
    Tensor c1 = ops.sub(ops.scalar(1f), ops.exp(ops.mul(step, (float) Math.log(beta1))));
    Tensor c2 = ops.sub(ops.scalar(1f), ops.exp(ops.mul(step, (float) Math.log(beta2))));
    Tensor stepSize = ops.div(ops.mul(lr, ops.sqrt(c2)), c1);
    Tensor denom = ops.add(ops.sqrt(v), eps);
    Tensor next = ops.sub(p, ops.mul(ops.div(m, denom), stepSize));
    if (decays(p)) {
      next = ops.sub(next, ops.mul(ops.mul(p, lr), weightDecay));
    }
    return Map.of("param", next, "m", m, "v", v);
  }

  /** PyTorch's fused AdamW kernel when the engine has one ({@link FusedKernels#adamW}). */
  @Override
  public OptionalDouble applyFused(FusedKernels kernels, FusedStep step) {
    boolean[] decay = new boolean[step.params().size()];
    for (int i = 0; i < decay.length; i++) {
      decay[i] = decays(step.params().get(i));
    }
    return kernels.adamW(step, step.state("m"), step.state("v"), decay, beta1, beta2, eps, weightDecay);
  }

  /** Whether weight decay applies to {@code p}: matrices only, and only with a positive rate. */
  private boolean decays(Tensor p) {
    return weightDecay > 0 && p.shape().rank() >= 2;
  }
}
