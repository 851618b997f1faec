package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * A pure update rule, written once over {@link TensorOps}. The engine computes gradients, calls
 * {@link UpdateRule#apply} (which clips and then calls this per parameter) and stores the results:
 * an eager engine swaps arrays, a tracing engine emits assign ops.
 *
 * <p>An engine that has fused whole-model kernels first offers them to the optimizer through {@link
 * #applyFused}; an optimizer that knows a kernel computing its own update passes its
 * hyperparameters to it, and every other optimizer (the default) keeps the op-by-op path. Engines
 * never inspect optimizer classes.
 */
public interface Optimizer {
  /** Name for logs and checkpoints, e.g. {@code adamw}. */
  String name();

  /** Names of the per-parameter state tensors, e.g. {@code m} and {@code v}; each starts at zero. */
  List<String> stateNames();

  /**
   * One update of one parameter.
   *
   * @param param current value
   * @param grad gradient (already clipped)
   * @param state current state by {@link #stateNames()} name, each shaped like {@code param}
   * @param learningRate scalar
   * @param step scalar, the 1-based number of this update, as a float
   * @return the new value under {@code "param"} and the new state under each state name
   */
  Map<String, Tensor> update(
      TensorOps ops,
      Tensor param,
      Tensor grad,
      Map<String, Tensor> state,
      Tensor learningRate,
      Tensor step);

  /**
   * The whole update of one step (clipping included, as {@link UpdateRule#apply} with this
   * optimizer) through one of the engine's fused kernels, when one computes exactly this
   * optimizer's {@link #update}.
   *
   * @param kernels what the engine offers; a kernel it lacks answers empty
   * @param step parameters, gradients and state, updated in place by the kernel
   * @return the global gradient norm before clipping, or empty (nothing changed) if no kernel fits,
   *     and the engine then runs {@link UpdateRule#apply}; the default
   */
  default OptionalDouble applyFused(FusedKernels kernels, FusedStep step) {
    return OptionalDouble.empty();
  }
}
