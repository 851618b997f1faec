package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Whole-model optimizer updates that an engine may run as fused kernels, offered to the optimizer
 * through {@link Optimizer#applyFused} (the way DJL's {@code Adam} calls {@code
 * NDArrayEx.adamUpdate}): the optimizer decides which kernel fits its update and with which
 * arguments, the engine never looks at optimizer classes.
 *
 * <p>Each kernel applies, to every parameter of the {@link FusedStep}, exactly the update of {@link
 * UpdateRule#apply} with the named optimizer: global-norm clipping of the gradients at {@link
 * FusedStep#maxGradNorm()} (0 for none), then the optimizer's per-parameter formula. Parameters and
 * state change in place; the engine consumes the gradients (zeroes or drops them). Each returns the
 * global gradient norm before clipping, or empty when the engine has no such kernel (the default),
 * in which case nothing has changed and the engine runs {@link UpdateRule#apply} instead.
 */
public interface FusedKernels {
  /**
   * {@link AdamW#update} for every parameter, with bias correction and {@code eps} added to {@code
   * sqrt(v)}; decoupled weight decay {@code param -= lr * weightDecay * param} only where {@code
   * decay[i]}.
   *
   * @param m first-moment state, parallel to {@link FusedStep#params()}
   * @param v second-moment state, parallel to {@link FusedStep#params()}
   * @param decay per parameter, whether weight decay applies to it
   */
  default OptionalDouble adamW(
      FusedStep step,
      List<Tensor> m,
      List<Tensor> v,
      boolean[] decay,
      float beta1,
      float beta2,
      float eps,
      float weightDecay) {
    return OptionalDouble.empty();
  }

  /**
   * {@link RmsProp#update} for every parameter: L2 weight decay added to the gradient, {@code v =
   * alpha v + (1 - alpha) g^2}, {@code param -= lr g / (sqrt(v) + eps)}.
   */
  default OptionalDouble rmsProp(
      FusedStep step, List<Tensor> v, float alpha, float eps, float weightDecay) {
    return OptionalDouble.empty();
  }

  /** {@link Sgd#update} for every parameter: {@code param -= lr g}. */
  default OptionalDouble sgd(FusedStep step) {
    return OptionalDouble.empty();
  }
}
