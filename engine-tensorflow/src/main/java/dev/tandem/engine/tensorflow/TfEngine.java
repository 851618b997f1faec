package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TensorFunction;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.OpScope;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.ConfigProto;

/**
 * The TensorFlow engine: one {@link Graph} holding every variable and trace, one {@link Session}
 * running it. Functions are traced into the graph once per input signature; device tensors are
 * native TensorFlow tensors fed to and fetched from {@code Session.run}.
 */
final class TfEngine implements Engine {
  private final String device;
  private final Graph graph;
  private final Session session;
  private final Scope root;
  private final boolean xla;
  private final ConfigProto config;
  /** Host-side copies of variable values for detached traces; cleared by every write. */
  private final Map<TfVariable, org.tensorflow.Tensor> values = new HashMap<>();
  private final Set<TfFunction> functions = new HashSet<>();
  private Trace current;
  private int scopes;
  private EagerOps eager;
  private boolean closed;

  TfEngine(String device, ConfigProto config, boolean xla) {
    this.device = device;
    this.xla = xla;
    this.config = config;
    this.graph = new Graph();
    this.session = new Session(graph, config);
    this.root = new OpScope(graph);
  }

  @Override
  public String name() {
    return TfEngineProvider.NAME;
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public Tensor upload(HostTensor value) {
    checkOpen();
    return new TfValue(this, Conversions.toTf(value), value.shape(), value.dtype());
  }

  @Override
  public HostTensor download(Tensor value) {
    return Conversions.toHost(value(value).tensor());
  }

  @Override
  public Parameters createParameters(Map<String, HostTensor> values, Set<String> trainable) {
    checkOpen();
    return new TfParameters(this, values, trainable);
  }

  @Override
  public CompiledFunction compile(Parameters params, TensorFunction function) {
    checkOpen();
    return new TfFunction(this, params, function);
  }

  @Override
  public TrainStep trainStep(
      Parameters params, LossFunction loss, Optimizer optimizer, TrainStepOptions options) {
    checkOpen();
    return new TfTrainStep(this, own(params), loss, optimizer, options);
  }

  @Override
  public TensorOps eagerOps() {
    checkOpen();
    if (eager == null) {
      eager = new EagerOps(this);
    }
    return eager;
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      List.copyOf(functions).forEach(TfFunction::close);
      variablesChanged();
      session.close();
      graph.close();
    }
  }

  // ---- for the engine's own classes -------------------------------------------------------------

  Graph graph() {
    return graph;
  }

  Session session() {
    return session;
  }

  /**
   * Whether compiled functions trace into graphs and sessions of their own (on the CPU, where a
   * fed tensor is not copied): the engine's graph then holds only variables and train steps. A
   * session's first run of new fetches costs time proportional to its whole graph (the session
   * re-places the extended graph and prunes it), so in one shared graph every trace made, even
   * by a closed generator, slows every later first run.
   */
  boolean detachFunctions() {
    return device.equals("cpu");
  }

  /** The session configuration, for the sessions of detached functions. */
  ConfigProto config() {
    return config;
  }

  void opened(TfFunction f) {
    functions.add(f);
  }

  void closed(TfFunction f) {
    functions.remove(f);
  }

  /**
   * The current values of {@code vars} as native tensors, fetched in one run where not cached;
   * the engine owns them and frees them at the next {@link #variablesChanged()}.
   */
  org.tensorflow.Tensor[] variableValues(List<TfVariable> vars) {
    List<TfVariable> missing = new ArrayList<>();
    for (TfVariable v : vars) {
      if (!values.containsKey(v)) {
        missing.add(v);
      }
    }
    if (!missing.isEmpty()) {
      Session.Runner r = session.runner();
      missing.forEach(v -> r.fetch(v.hostRead()));
      Result res = r.run(); // not closed: its tensors are now cached
      for (int i = 0; i < missing.size(); i++) {
        values.put(missing.get(i), res.get(i));
      }
    }
    org.tensorflow.Tensor[] out = new org.tensorflow.Tensor[vars.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(vars.get(i));
    }
    return out;
  }

  /** Drops the cached variable values: called by everything that writes a variable. */
  void variablesChanged() {
    values.values().forEach(org.tensorflow.Tensor::close);
    values.clear();
  }

  /** Whether the session compiles XLA clusters (traces may still keep out of them). */
  boolean xla() {
    return xla;
  }

  boolean isClosed() {
    return closed;
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the TensorFlow engine is closed");
    }
  }

  /** A fresh, uniquely named scope at the top of the graph. */
  Scope newScope(String prefix) {
    return root.withSubScope(prefix + "_" + scopes++);
  }

  /** Starts tracing into a new scope; traces do not nest. */
  Trace beginTrace(String prefix) {
    return beginTrace(prefix, true);
  }

  /**
   * Starts tracing into a new scope; {@code xla} false keeps the trace's nodes out of XLA clusters.
   */
  Trace beginTrace(String prefix, boolean xla) {
    return begin(new Trace(newScope(prefix), xla, false));
  }

  /** Starts tracing into {@code scope} of a graph of the caller's (see {@link Trace#read}). */
  Trace beginDetachedTrace(Scope scope, boolean xla) {
    return begin(new Trace(scope, xla, true));
  }

  private Trace begin(Trace t) {
    checkOpen();
    if (current != null) {
      throw new IllegalStateException(
          "a function is already being traced: engine calls are not allowed inside a function");
    }
    current = t;
    return current;
  }

  void endTrace(Trace t) {
    if (current == t) {
      current = null;
    }
  }

  /** The trace in progress, or null. */
  Trace currentTrace() {
    return current;
  }

  /** The device value behind a tensor passed to this engine. */
  TfValue value(Tensor t) {
    if (t instanceof TfValue v) {
      if (v.engine() != this) {
        throw new IllegalArgumentException("tensor " + v + " belongs to another engine");
      }
      return v;
    }
    if (t instanceof TfNode n) {
      throw new IllegalArgumentException(
          "tensor " + n + " is symbolic: it exists only inside the function being traced");
    }
    throw new IllegalArgumentException(
        "not a TensorFlow engine tensor: " + (t == null ? "null" : t.getClass().getName()));
  }

  /** Frees the memory of resource variables (their graph nodes stay). */
  void destroy(List<TfVariable> vars) {
    if (vars.isEmpty()) {
      return;
    }
    variablesChanged();
    Scope s = newScope("destroy");
    Session.Runner r = session.runner();
    for (TfVariable v : vars) {
      OperationBuilder b = s.opBuilder("DestroyResourceOp", "destroy");
      r.addTarget(b.addInput(v.handle).setAttr("ignore_lookup_error", true).build());
    }
    r.run().close();
  }

  private TfParameters own(Parameters params) {
    if (!(params instanceof TfParameters p) || p.engine() != this) {
      throw new IllegalArgumentException("parameters were not created by this TensorFlow engine");
    }
    return p;
  }
}
