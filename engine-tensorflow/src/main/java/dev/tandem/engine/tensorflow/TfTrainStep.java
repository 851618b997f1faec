package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

/**
 * A train step traced once per input signature by {@link StepGraph}: loss, metrics, gradients and
 * the {@link dev.tandem.api.optim.UpdateRule} as assign ops, all run by one {@code Session.run}.
 * The optimizer state lives in resource variables named {@code STATE/PARAM}; the update count is
 * kept here and fed as a scalar.
 */
final class TfTrainStep implements TrainStep {
  private static final Logger LOG = LoggerFactory.getLogger(TfTrainStep.class);
  private static final String UPDATES = "updates";

  private final TfEngine engine;
  private final TfParameters params;
  private final LossFunction loss;
  private final Optimizer optimizer;
  private final TrainStepOptions options;
  /** State variables by parameter, then state name. */
  private final Map<String, Map<String, TfVariable>> state = new LinkedHashMap<>();
  private final Map<Signature, StepGraph> traces = new HashMap<>();
  private long updates;
  private boolean closed;

  TfTrainStep(
      TfEngine engine, TfParameters params, LossFunction loss, Optimizer optimizer, TrainStepOptions options) {
    this.engine = engine;
    this.params = params;
    this.loss = loss;
    this.optimizer = optimizer;
    this.options = options;
    if (!optimizer.stateNames().isEmpty()) {
      Scope scope = engine.newScope("optimizer");
      List<TfVariable> zeros = new ArrayList<>();
      for (String p : params.names()) {
        if (!params.trainable().contains(p)) {
          continue;
        }
        Map<String, TfVariable> st = new LinkedHashMap<>();
        for (String s : optimizer.stateNames()) {
          TfVariable v = TfVariable.create(scope, s + "/" + p, params.shape(p), DType.FLOAT32);
          st.put(s, v);
          zeros.add(v);
        }
        state.put(p, st);
      }
      // moments start at zero inside TensorFlow: host arrays of zeros would grow the Java heap by
      // twice the model's size, and G1 keeps that memory committed through training
      TfVariable.assignZeros(engine, zeros);
    }
  }

  @Override
  public StepResult run(List<HostTensor> inputs, float learningRate) {
    return run(inputs, learningRate, null);
  }

  /**
   * A step that also collects TensorFlow's per-node timings into {@code metadata} when it is not
   * null (for profiling; slower).
   */
  StepResult run(List<HostTensor> inputs, float learningRate, RunMetadata[] metadata) {
    StepGraph g = graphFor(inputs);
    engine.variablesChanged();
    List<org.tensorflow.Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner r = feed(g, inputs, feeds);
      feeds.add(Conversions.toTf(HostTensor.scalar(learningRate)));
      r.feed(g.learningRate(), feeds.get(feeds.size() - 1));
      feeds.add(Conversions.toTf(HostTensor.scalar((float) (updates + 1))));
      r.feed(g.step(), feeds.get(feeds.size() - 1));
      fetchLossAndMetrics(g, r).fetch(g.gradNorm()).addTarget(g.update());
      if (metadata != null) {
        r.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
      }
      try (Result res = metadata != null ? r.runAndFetchMetadata() : r.run()) {
        if (metadata != null) {
          metadata[0] = res.getMetadata().orElse(null);
        }
        StepResult out = result(g, res, Conversions.toHost(res.get(res.size() - 1)).item());
        updates++;
        return out;
      }
    } finally {
      feeds.forEach(org.tensorflow.Tensor::close);
    }
  }

  @Override
  public StepResult evaluate(List<HostTensor> inputs) {
    StepGraph g = graphFor(inputs);
    List<org.tensorflow.Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner r = fetchLossAndMetrics(g, feed(g, inputs, feeds));
      try (Result res = r.run()) {
        return result(g, res, Float.NaN);
      }
    } finally {
      feeds.forEach(org.tensorflow.Tensor::close);
    }
  }

  private StepGraph graphFor(List<HostTensor> inputs) {
    checkOpen();
    Signature sig = Signature.ofHost(inputs);
    StepGraph g = traces.get(sig);
    if (g == null) {
      long t0 = System.nanoTime();
      g = StepGraph.trace(engine, params, loss, optimizer, options, state, sig);
      traces.put(sig, g);
      LOG.debug("traced a train step for {} in {} ms ({} traces)", sig.shapes(), (System.nanoTime() - t0) / 1_000_000,
          traces.size());
    }
    return g;
  }

  private Session.Runner feed(StepGraph g, List<HostTensor> inputs, List<org.tensorflow.Tensor> feeds) {
    Session.Runner r = engine.session().runner();
    for (int i = 0; i < inputs.size(); i++) {
      org.tensorflow.Tensor t = Conversions.toTf(inputs.get(i));
      feeds.add(t);
      r.feed(g.inputs().get(i), t);
    }
    return r;
  }

  private static Session.Runner fetchLossAndMetrics(StepGraph g, Session.Runner r) {
    r.fetch(g.loss());
    for (Output<?> m : g.metrics().values()) {
      r.fetch(m);
    }
    return r;
  }

  private static StepResult result(StepGraph g, Result res, float gradNorm) {
    float lossValue = Conversions.toHost(res.get(0)).item();
    Map<String, Float> metrics = new LinkedHashMap<>();
    int i = 1;
    for (String name : g.metrics().keySet()) {
      metrics.put(name, Conversions.toHost(res.get(i++)).item());
    }
    return new StepResult(lossValue, metrics, gradNorm);
  }

  @Override
  public long updates() {
    return updates;
  }

  @Override
  public Map<String, HostTensor> state() {
    checkOpen();
    Map<String, HostTensor> out = new LinkedHashMap<>();
    List<TfVariable> all = new ArrayList<>();
    state.values().forEach(st -> all.addAll(st.values()));
    if (!all.isEmpty()) {
      Session.Runner r = engine.session().runner();
      all.forEach(v -> r.fetch(v.hostRead()));
      try (Result res = r.run()) {
        for (int i = 0; i < all.size(); i++) {
          out.put(all.get(i).name, Conversions.toHost(res.get(i)));
        }
      }
    }
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
    Map<String, TfVariable> byKey = new HashMap<>();
    state.values().forEach(st -> st.values().forEach(v -> byKey.put(v.name, v)));
    for (String key : saved.keySet()) {
      if (!key.equals(UPDATES) && !byKey.containsKey(key)) {
        throw new IllegalArgumentException(
            "optimizer state entry '" + key + "' matches no state of " + optimizer.name()
                + " for the trainable parameters");
      }
    }
    Map<TfVariable, HostTensor> values = new LinkedHashMap<>();
    for (TfVariable v : byKey.values()) {
      HostTensor h = saved.get(v.name);
      if (h == null) {
        throw new IllegalArgumentException("optimizer state lacks '" + v.name + "'");
      }
      if (!h.shape().equals(v.shape)) {
        throw new IllegalArgumentException(
            "optimizer state '" + v.name + "' has shape " + h.shape() + ", the parameter needs " + v.shape);
      }
      values.put(v, h.dtype() == DType.FLOAT32 ? h : toFloat(h));
    }
    TfVariable.assign(engine, values);
    updates = (long) u.item();
  }

  private static HostTensor toFloat(HostTensor h) {
    int[] i = h.ints();
    float[] f = new float[i.length];
    for (int k = 0; k < i.length; k++) {
      f[k] = i[k];
    }
    return HostTensor.of(f, h.shape().dims());
  }

  @Override
  public int traceCount() {
    return traces.size();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    traces.clear();
    if (!engine.isClosed()) {
      List<TfVariable> all = new ArrayList<>();
      state.values().forEach(st -> all.addAll(st.values()));
      engine.destroy(all);
    }
  }

  private void checkOpen() {
    engine.checkOpen();
    if (closed) {
      throw new IllegalStateException("this train step is closed");
    }
  }
}
