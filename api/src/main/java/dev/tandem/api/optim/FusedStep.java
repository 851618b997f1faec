package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * One whole-model update as an engine hands it to {@link Optimizer#applyFused}: the trainable
 * parameters, their gradients (not yet clipped) and the optimizer state, all parallel lists in one
 * order, as the engine's own tensors that a {@link FusedKernels} kernel of that engine updates in
 * place.
 *
 * @param params the trainable parameters
 * @param grads their gradients, before clipping
 * @param state per {@link Optimizer#stateNames()} name, the state tensors of every parameter
 * @param learningRate this step's learning rate
 * @param step the 1-based number of this update
 * @param maxGradNorm global-norm clip threshold, 0 for none
 */
public record FusedStep(
    List<Tensor> params,
    List<Tensor> grads,
    Map<String, List<Tensor>> state,
    float learningRate,
    long step,
    float maxGradNorm) {
  public FusedStep {
    params = List.copyOf(params);
    grads = List.copyOf(grads);
    state = Map.copyOf(state);
    if (grads.size() != params.size()) {
      throw new IllegalArgumentException(params.size() + " parameters but " + grads.size() + " gradients");
    }
    for (Map.Entry<String, List<Tensor>> e : state.entrySet()) {
      if (e.getValue().size() != params.size()) {
        throw new IllegalArgumentException(
            "state '" + e.getKey() + "' has " + e.getValue().size() + " tensors for " + params.size() + " parameters");
      }
    }
  }

  /** The tensors of one state, e.g. {@code m}; the error names the known ones. */
  public List<Tensor> state(String name) {
    List<Tensor> s = state.get(name);
    if (s == null) {
      throw new IllegalArgumentException("no optimizer state '" + name + "' (have " + state.keySet() + ")");
    }
    return s;
  }
}
