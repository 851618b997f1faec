package dev.tandem.engine.djl;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.FusedStep;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.optim.UpdateRule;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Forward under a GradientCollector, backward, then the update without recording: the optimizer's
 * fused update through {@link DjlKernels} when it takes one ({@link Optimizer#applyFused}), else
 * {@link UpdateRule#apply}, whose new parameter and state values replace the old ones in place.
 * Everything else a step creates (inputs, activations, gradient handles, update temporaries) lives
 * in a step manager closed at the end of the step. The optimizer state stays on the device, in a
 * manager owned by this step.
 */
final class DjlTrainStep implements TrainStep {
  private static final String UPDATES = "updates";

  private final DjlEngine engine;
  private final DjlParameters params;
  private final LossFunction loss;
  private final Optimizer optimizer;
  private final TrainStepOptions options;
  private final NDManager stateManager;

  /** State arrays by parameter, then state name. */
  private final Map<String, Map<String, NDArray>> state = new LinkedHashMap<>();

  private long updates;
  private boolean closed;

  DjlTrainStep(
      DjlEngine engine,
      DjlParameters params,
      LossFunction loss,
      Optimizer optimizer,
      TrainStepOptions options) {
    this.engine = engine;
    this.params = params;
    this.loss = loss;
    this.optimizer = optimizer;
    this.options = options;
    this.stateManager = engine.root().newSubManager();
    this.stateManager.setName("tandem-djl-optimizer-state");
    for (String name : params.trainable()) {
      Map<String, NDArray> st = new LinkedHashMap<>();
      for (String s : optimizer.stateNames()) {
        NDArray p = params.array(name);
        st.put(s, stateManager.zeros(p.getShape(), p.getDataType()));
      }
      state.put(name, st);
    }
  }

  @Override
  public StepResult run(List<HostTensor> inputs, float learningRate) {
    checkOpen();
    JniUtils.setGradMode(false);
    try (NDManager scope = engine.root().newSubManager()) {
      DjlOps ops = new DjlOps(engine, scope, false);
      List<Tensor> in = upload(scope, inputs);
      try {
        LossOutput out;
        try (GradientCollector collector = engine.pytorch().newGradientCollector()) {
          out = loss.apply(ops, params, in);
          backward(collector, ops.nd(out.loss()));
        }
        float lossValue = DjlEngine.toHost(ops.nd(out.loss())).item();
        Map<String, Float> metrics = metrics(ops, out);
        OptionalDouble fused = fusedUpdate(scope, learningRate);
        if (fused.isPresent()) {
          dropGradients();
        }
        float gradNorm =
            fused.isPresent() ? (float) fused.getAsDouble() : genericUpdate(ops, scope, learningRate);
        updates++;
        return new StepResult(lossValue, metrics, gradNorm);
      } catch (RuntimeException e) {
        try {
          dropGradients(); // else the next step would add to what this one wrote (a backward can fail part-way)
        } catch (RuntimeException again) {
          e.addSuppressed(again);
        }
        throw e;
      }
    }
  }

  private void dropGradients() {
    for (String name : params.trainable()) {
      params.dropGradient(name);
    }
  }

  /** {@link UpdateRule#apply} over {@link DjlOps}; new values replace the old ones in place. */
  private float genericUpdate(DjlOps ops, NDManager scope, float learningRate) {
    Map<String, Tensor> values = new LinkedHashMap<>();
    Map<String, Tensor> grads = new LinkedHashMap<>();
    Map<String, Map<String, Tensor>> st = new LinkedHashMap<>();
    for (String name : params.trainable()) {
      NDArray p = params.array(name);
      values.put(name, params.get(name));
      grads.put(name, ops.wrap(p.getGradient())); // the handle is closed with the scope
      Map<String, Tensor> s = new LinkedHashMap<>();
      state.get(name).forEach((k, v) -> s.put(k, new DjlTensor(engine, v, false)));
      st.put(name, s);
    }
    UpdateRule.Result r =
        UpdateRule.apply(
            ops,
            optimizer,
            values,
            grads,
            st,
            ops.scalar(learningRate),
            ops.scalar((float) (updates + 1)),
            options.maxGradNorm());
    float gradNorm = DjlEngine.toHost(ops.nd(r.gradNorm())).item();
    commit(ops, scope, r);
    return gradNorm;
  }

  /**
   * Offers the engine's fused kernels to the optimizer ({@link Optimizer#applyFused}): parameters
   * and state change in place (the caller then drops the gradients), or, when the optimizer takes
   * none (or the kernels are off), nothing changes and the answer is empty.
   */
  private OptionalDouble fusedUpdate(NDManager scope, float learningRate) {
    DjlKernels k = engine.kernels();
    if (k == null || params.trainable().isEmpty()) {
      return OptionalDouble.empty();
    }
    List<Tensor> ps = new ArrayList<>();
    List<Tensor> gs = new ArrayList<>();
    for (String name : params.trainable()) {
      NDArray p = params.array(name);
      NDArray g = p.getGradient();
      g.attach(scope);
      ps.add(new DjlTensor(engine, p, false));
      gs.add(new DjlTensor(engine, g, false));
    }
    Map<String, List<Tensor>> st = new LinkedHashMap<>();
    for (String s : optimizer.stateNames()) {
      List<Tensor> l = new ArrayList<>();
      for (NDArray a : stateList(s)) {
        l.add(new DjlTensor(engine, a, false));
      }
      st.put(s, l);
    }
    return optimizer.applyFused(
        k, new FusedStep(ps, gs, st, learningRate, updates + 1, options.maxGradNorm()));
  }

  private List<NDArray> stateList(String stateName) {
    List<NDArray> out = new ArrayList<>();
    for (String name : params.trainable()) {
      out.add(state.get(name).get(stateName));
    }
    return out;
  }

  @Override
  public StepResult evaluate(List<HostTensor> inputs) {
    checkOpen();
    JniUtils.setGradMode(false);
    try (NDManager scope = engine.root().newSubManager()) {
      DjlOps ops = new DjlOps(engine, scope, false);
      LossOutput out = loss.apply(ops, params, upload(scope, inputs));
      float lossValue = DjlEngine.toHost(ops.nd(out.loss())).item();
      return new StepResult(lossValue, metrics(ops, out), Float.NaN);
    }
  }

  @Override
  public long updates() {
    return updates;
  }

  @Override
  public Map<String, HostTensor> state() {
    checkOpen();
    Map<String, HostTensor> out = new LinkedHashMap<>();
    state.forEach((p, st) -> st.forEach((s, a) -> out.put(s + "/" + p, DjlEngine.toHost(a))));
    out.put(UPDATES, HostTensor.ofInts(new int[] {Math.toIntExact(updates)}));
    return out;
  }

  @Override
  public void loadState(Map<String, HostTensor> saved) {
    checkOpen();
    HostTensor u = saved.get(UPDATES);
    if (u == null || u.shape().size() != 1) {
      throw new IllegalArgumentException("optimizer state has no scalar '" + UPDATES + "' entry");
    }
    for (String key : saved.keySet()) {
      int slash = key.indexOf('/');
      if (!key.equals(UPDATES)
          && (slash < 0
              || !state.containsKey(key.substring(slash + 1))
              || !state.get(key.substring(slash + 1)).containsKey(key.substring(0, slash)))) {
        throw new IllegalArgumentException(
            "optimizer state entry '"
                + key
                + "' matches no state of "
                + optimizer.name()
                + " for the trainable parameters");
      }
    }
    for (Map.Entry<String, Map<String, NDArray>> e : state.entrySet()) {
      for (Map.Entry<String, NDArray> st : e.getValue().entrySet()) {
        String key = st.getKey() + "/" + e.getKey();
        HostTensor v = saved.get(key);
        Shape need = DjlTensor.toShape(st.getValue().getShape());
        if (v == null || !v.shape().equals(need) || v.dtype() != DType.FLOAT32) {
          throw new IllegalArgumentException(
              "optimizer state '"
                  + key
                  + "' must be FLOAT32"
                  + need
                  + ", found "
                  + (v == null ? "nothing" : v.dtype() + "" + v.shape()));
        }
      }
    }
    state.forEach(
        (p, st) ->
            st.forEach((s, a) -> a.intern(DjlEngine.createOwned(stateManager, saved.get(s + "/" + p)))));
    updates = (long) u.item();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      stateManager.close();
    }
  }

  private void checkOpen() {
    engine.checkOpen();
    if (closed) {
      throw new IllegalStateException("this train step is closed");
    }
  }

  /** Backward from the loss; a loss that depends on no trainable parameter has zero gradients. */
  private void backward(GradientCollector collector, NDArray loss) {
    if (params.trainable().isEmpty()) {
      return;
    }
    try {
      collector.backward(loss);
    } catch (EngineException e) {
      if (e.getMessage() == null || !e.getMessage().contains("does not require grad")) {
        throw e;
      }
    }
  }

  private List<Tensor> upload(NDManager scope, List<HostTensor> inputs) {
    List<Tensor> in = new ArrayList<>(inputs.size());
    for (HostTensor h : inputs) {
      in.add(new DjlTensor(engine, DjlEngine.create(scope, h), false));
    }
    return in;
  }

  private static Map<String, Float> metrics(DjlOps ops, LossOutput out) {
    Map<String, Float> m = new LinkedHashMap<>();
    out.metrics().forEach((k, v) -> m.put(k, DjlEngine.toHost(ops.nd(v)).item()));
    return m;
  }

  /** Installs the new parameter and state values (all in the step scope) in place. */
  private void commit(DjlOps ops, NDManager scope, UpdateRule.Result r) {
    IdentityHashMap<NDArray, Boolean> used = new IdentityHashMap<>();
    List<NDArray[]> moves = new ArrayList<>();
    for (String name : params.trainable()) {
      NDArray target = params.array(name);
      NDArray next = fresh(ops.nd(r.params().get(name)), target, scope, used, name);
      if (next == target) {
        params.dropGradient(name);
      } else {
        moves.add(new NDArray[] {target, next});
      }
      for (Map.Entry<String, NDArray> s : state.get(name).entrySet()) {
        NDArray ns =
            fresh(ops.nd(r.state().get(name).get(s.getKey())), s.getValue(), scope, used, name);
        if (ns != s.getValue()) {
          moves.add(new NDArray[] {s.getValue(), ns});
        }
      }
    }
    for (NDArray[] m : moves) {
      m[0].intern(m[1]);
    }
    for (String name : params.trainable()) {
      params.array(name).setRequiresGradient(true);
    }
  }

  /**
   * The value to install in {@code target}: {@code next} itself when it is a fresh result of this
   * step used once, else a copy (an intern takes the native tensor away from its source).
   */
  private static NDArray fresh(
      NDArray next,
      NDArray target,
      NDManager scope,
      IdentityHashMap<NDArray, Boolean> used,
      String name) {
    if (next == target) {
      return target;
    }
    if (!next.getShape().equals(target.getShape()) || next.getDataType() != target.getDataType()) {
      throw new IllegalStateException(
          "optimizer produced "
              + next.getDataType()
              + next.getShape()
              + " for '"
              + name
              + "', which is "
              + target.getDataType()
              + target.getShape());
    }
    boolean first = used.put(next, Boolean.TRUE) == null;
    return first && next.getManager() == scope ? next : next.duplicate();
  }
}
