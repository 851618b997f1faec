package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;

/**
 * A pure update rule, written once over {@link TensorOps}. The engine computes gradients, calls
 * {@link UpdateRule#apply} (which clips and then calls this per parameter) and stores the results:
 * an eager engine swaps arrays, a tracing engine emits assign ops.
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
}
