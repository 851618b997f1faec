package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Global-norm clipping followed by an {@link Optimizer} over every trainable parameter: the whole
 * update of a train step, written once for all engines.
 */
public final class UpdateRule {
  private UpdateRule() {}

  /**
   * The result of one update.
   *
   * @param params new values by parameter name
   * @param state new optimizer state by parameter name, then state name
   * @param gradNorm the global gradient norm before clipping (scalar)
   */
  public record Result(
      Map<String, Tensor> params, Map<String, Map<String, Tensor>> state, Tensor gradNorm) {}

  /**
   * Computes new parameters and state.
   *
   * @param maxGradNorm clip threshold, 0 for none
   */
  public static Result apply(
      TensorOps ops,
      Optimizer optimizer,
      Map<String, Tensor> params,
      Map<String, Tensor> grads,
      Map<String, Map<String, Tensor>> state,
      Tensor learningRate,
      Tensor step,
      float maxGradNorm) {
    Tensor sq = null;
    for (Tensor g : grads.values()) {
      Tensor s = ops.sumAll(ops.square(g));
      sq = sq == null ? s : ops.add(sq, s);
    }
    Tensor norm = sq == null ? ops.scalar(0f) : ops.sqrt(sq);
    Tensor scale = null;
    if (maxGradNorm > 0) {
      // scale = min(1, max / (norm + 1e-6)) without a min op: 1 / max(1, (norm + 1e-6) / max)
      Tensor ratio = ops.mul(ops.add(norm, 1e-6f), 1f / maxGradNorm);
      scale = ops.div(ops.scalar(1f), ops.maximum(ratio, ops.scalar(1f)));
    }
    Map<String, Tensor> newParams = new LinkedHashMap<>();
    Map<String, Map<String, Tensor>> newState = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      String name = e.getKey();
      Tensor g = grads.get(name);
      if (g == null) {
        throw new IllegalArgumentException("no gradient for trainable parameter " + name);
      }
      if (scale != null) {
        g = ops.mul(g, scale);
      }
      Map<String, Tensor> out =
          optimizer.update(ops, e.getValue(), g, state.get(name), learningRate, step);
      newParams.put(name, out.get("param"));
      Map<String, Tensor> st = new LinkedHashMap<>();
      for (String sn : optimizer.stateNames()) {
        st.put(sn, out.get(sn));
      }
      newState.put(name, st);
    }
    return new Result(newParams, newState, norm);
  }
}
