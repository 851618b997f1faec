package dev.tandem.api.optim;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.Collection;
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
   * The global gradient norm and, with a threshold, the factor every gradient is scaled by.
   *
   * @param norm the global gradient norm before clipping (scalar)
   * @param scale {@code min(1, maxGradNorm / (norm + 1e-6))}, or null without clipping
   */
  public record Clip(Tensor norm, Tensor scale) {}

  /**
   * Computes new parameters and state: {@link #clip}, then {@link #update} for each parameter.
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
    Clip clip = clip(ops, grads.values(), maxGradNorm);
    Map<String, Tensor> newParams = new LinkedHashMap<>();
    Map<String, Map<String, Tensor>> newState = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : params.entrySet()) {
      String name = e.getKey();
      Map<String, Tensor> out = update(
          ops, optimizer, name, e.getValue(), grads.get(name), clip, state.get(name), learningRate, step);
      newParams.put(name, out.get("param"));
      Map<String, Tensor> st = new LinkedHashMap<>();
      for (String sn : optimizer.stateNames()) {
        st.put(sn, out.get(sn));
      }
      newState.put(name, st);
    }
    return new Result(newParams, newState, clip.norm());
  }

  /**
   * The global norm of {@code grads} and the clipping factor for {@code maxGradNorm} (0 for none).
   * An engine that schedules the parameters' updates itself (a graph that updates them group by
   * group, to hold one group's temporaries at a time) calls this once and then {@link #update} per
   * parameter.
   */
  public static Clip clip(TensorOps ops, Collection<Tensor> grads, float maxGradNorm) {
    Tensor sq = null;
    for (Tensor g : grads) {
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
    return new Clip(norm, scale);
  }

  /**
   * One parameter's update: its gradient scaled by {@code clip}, then {@link Optimizer#update}.
   * Returns the new value under {@code "param"} and the new state under each of {@link
   * Optimizer#stateNames()}.
   *
   * @throws IllegalArgumentException naming the parameter when {@code grad} is null
   */
  public static Map<String, Tensor> update(
      TensorOps ops,
      Optimizer optimizer,
      String name,
      Tensor param,
      Tensor grad,
      Clip clip,
      Map<String, Tensor> state,
      Tensor learningRate,
      Tensor step) {
    if (grad == null) {
      throw new IllegalArgumentException("no gradient for trainable parameter " + name);
    }
    Tensor g = clip.scale() == null ? grad : ops.mul(grad, clip.scale());
    return optimizer.update(ops, param, g, state, learningRate, step);
  }
}
