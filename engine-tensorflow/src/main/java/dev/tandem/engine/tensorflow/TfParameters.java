package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Scope;

/**
 * Parameters as resource variables of the engine's graph, shared by every function and train step
 * of the engine. Inside a trace, {@link #get} is the trace's read of the variable.
 */
final class TfParameters implements Parameters {
  private final TfEngine engine;
  private final Map<String, TfVariable> vars = new LinkedHashMap<>();
  private final Set<String> trainable;

  /** Initial values are copied to the variables in batches of about this many bytes. */
  private static final long ASSIGN_BATCH_BYTES = 256L << 20;

  TfParameters(TfEngine engine, Map<String, HostTensor> values, Set<String> trainable) {
    for (String t : trainable) {
      if (!values.containsKey(t)) {
        throw new IllegalArgumentException("trainable parameter '" + t + "' has no value");
      }
    }
    this.engine = engine;
    Scope scope = engine.newScope("params");
    // assigned in batches of at most ASSIGN_BATCH_BYTES, so that the host holds a batch at a time
    // when the values are read lazily from a model's files (ModelDirectory#weights)
    Map<TfVariable, HostTensor> init = new LinkedHashMap<>();
    long batchBytes = 0;
    Set<String> tr = new LinkedHashSet<>();
    for (Map.Entry<String, HostTensor> e : values.entrySet()) {
      HostTensor v = e.getValue();
      TfVariable var = TfVariable.create(scope, e.getKey(), v.shape(), v.dtype());
      vars.put(e.getKey(), var);
      init.put(var, v);
      batchBytes += 4L * v.shape().size();
      if (batchBytes >= ASSIGN_BATCH_BYTES) {
        TfVariable.assign(engine, init);
        init.clear();
        batchBytes = 0;
      }
      if (trainable.contains(e.getKey())) {
        tr.add(e.getKey());
      }
    }
    this.trainable = Collections.unmodifiableSet(tr);
    TfVariable.assign(engine, init);
  }

  @Override
  public List<String> names() {
    return List.copyOf(vars.keySet());
  }

  @Override
  public Set<String> trainable() {
    return trainable;
  }

  @Override
  public Shape shape(String name) {
    return variable(name).shape;
  }

  @Override
  public Tensor get(String name) {
    TfVariable v = variable(name);
    Trace t = engine.currentTrace();
    if (t == null) {
      throw new IllegalStateException(
          "Parameters.get('" + name + "') is only valid inside a function run by the engine; use read()"
              + " for the value");
    }
    return t.read(v);
  }

  @Override
  public HostTensor read(String name) {
    TfVariable v = variable(name);
    engine.checkOpen();
    return v.read(engine.session());
  }

  @Override
  public void write(String name, HostTensor value) {
    TfVariable v = variable(name);
    engine.checkOpen();
    TfVariable.assign(engine, Map.of(v, value));
  }

  /** All values in one run. */
  @Override
  public Map<String, HostTensor> readAll() {
    engine.checkOpen();
    Map<String, HostTensor> out = new LinkedHashMap<>();
    if (vars.isEmpty()) {
      return out;
    }
    Session.Runner r = engine.session().runner();
    vars.values().forEach(v -> r.fetch(v.hostRead()));
    try (Result res = r.run()) {
      int i = 0;
      for (String n : vars.keySet()) {
        out.put(n, Conversions.toHost(res.get(i++)));
      }
    }
    return out;
  }

  /** The variable behind a name; throws {@link IllegalArgumentException} for an unknown one. */
  TfVariable variable(String name) {
    TfVariable v = vars.get(name);
    if (v == null) {
      throw new IllegalArgumentException("unknown parameter '" + name + "'");
    }
    return v;
  }

  TfEngine engine() {
    return engine;
  }
}
