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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.OperationBuilder;
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
  private Trace current;
  private int scopes;
  private EagerOps eager;
  private boolean closed;

  TfEngine(String device, ConfigProto config) {
    this.device = device;
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
    checkOpen();
    if (current != null) {
      throw new IllegalStateException(
          "a function is already being traced: engine calls are not allowed inside a function");
    }
    current = new Trace(newScope(prefix));
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
