package dev.tandem.engine.tensorflow;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A TensorFlow resource variable in the engine's graph, with the ops to set it from the host (a
 * placeholder and an assign) and to read it to the host. Traces read it through their own {@code
 * ReadVariableOp} (see {@link Trace#read}).
 */
final class TfVariable {
  final String name;
  final Shape shape;
  final DType dtype;
  final Output<?> handle;
  private final Output<?> feed;
  private final GraphOperation assign;
  private final Output<?> hostRead;

  private TfVariable(
      String name, Shape shape, DType dtype, Output<?> handle, Output<?> feed, GraphOperation assign,
      Output<?> hostRead) {
    this.name = name;
    this.shape = shape;
    this.dtype = dtype;
    this.handle = handle;
    this.feed = feed;
    this.assign = assign;
    this.hostRead = hostRead;
  }

  /**
   * Adds the variable's ops under {@code scope}, named after the variable; the variable has no value
   * until assigned. The ops go straight into {@code scope} (names made unique by it) rather than a
   * sub-scope each: TensorFlow Java's {@code withSubScope} reads the name of every op in the graph,
   * which made creating a model's variables and its optimizer's state quadratic in their number
   * (17 s of a first training step at SmolLM2's 30 layers).
   */
  static TfVariable create(Scope scope, String name, Shape shape, DType dtype) {
    String base = Trace.opName(name);
    var tfShape = Conversions.tfShape(shape);
    var dt = Conversions.dataType(dtype);
    String handleName = scope.makeOpName(base + "_var");
    Output<?> handle =
        scope.env()
            .opBuilder("VarHandleOp", handleName, scope)
            .setAttr("dtype", dt)
            .setAttr("shape", tfShape)
            .setAttr("shared_name", handleName)
            .build()
            .output(0);
    Output<?> feed =
        scope.opBuilder("Placeholder", base + "_value").setAttr("dtype", dt).setAttr("shape", tfShape).build().output(0);
    GraphOperation assign =
        (GraphOperation)
            scope.opBuilder("AssignVariableOp", base + "_assign").addInput(handle).addInput(feed).setAttr("dtype", dt).build();
    Output<?> hostRead =
        scope.opBuilder("ReadVariableOp", base + "_read").addInput(handle).setAttr("dtype", dt).build().output(0);
    return new TfVariable(name, shape, dtype, handle, feed, assign, hostRead);
  }

  /** Sets the values of several variables in one run. */
  static void assign(TfEngine engine, Map<TfVariable, HostTensor> values) {
    if (values.isEmpty()) {
      return;
    }
    engine.variablesChanged();
    Session session = engine.session();
    List<org.tensorflow.Tensor> feeds = new ArrayList<>();
    try {
      Session.Runner r = session.runner();
      for (Map.Entry<TfVariable, HostTensor> e : values.entrySet()) {
        TfVariable v = e.getKey();
        v.check(e.getValue());
        org.tensorflow.Tensor t = Conversions.toTf(e.getValue());
        feeds.add(t);
        r.feed(v.feed, t).addTarget(v.assign);
      }
      r.run().close();
    } finally {
      feeds.forEach(org.tensorflow.Tensor::close);
    }
  }

  /**
   * Sets each of {@code vars} (FLOAT32) to zeros inside TensorFlow, a {@code Fill} per variable, in
   * one run: no host array is made or fed, so the Java heap does not grow by their size.
   */
  static void assignZeros(TfEngine engine, List<TfVariable> vars) {
    if (vars.isEmpty()) {
      return;
    }
    engine.variablesChanged();
    Scope s = engine.newScope("zeros");
    Session.Runner r = engine.session().runner();
    Output<?> zero;
    try (TFloat32 z = TFloat32.scalarOf(0f)) {
      zero = s.opBuilder("Const", "zero").setAttr("value", z).setAttr("dtype", DataType.DT_FLOAT).build().output(0);
    }
    for (TfVariable v : vars) {
      if (v.dtype != DType.FLOAT32) {
        throw new IllegalArgumentException("variable '" + v.name + "' is " + v.dtype + ", not FLOAT32");
      }
      String base = Trace.opName(v.name);
      try (TInt64 d = TInt64.vectorOf(Conversions.tfShape(v.shape).asArray())) {
        Output<?> shape =
            s.opBuilder("Const", base + "_shape").setAttr("value", d).setAttr("dtype", DataType.DT_INT64).build().output(0);
        Output<?> fill = s.opBuilder("Fill", base + "_fill").addInput(shape).addInput(zero).build().output(0);
        r.addTarget(s.opBuilder("AssignVariableOp", base + "_zeroed").addInput(v.handle).addInput(fill)
            .setAttr("dtype", DataType.DT_FLOAT).build());
      }
    }
    r.run().close();
  }

  /** The op that reads the value for the host. */
  Output<?> hostRead() {
    return hostRead;
  }

  /** Copies the current value to the host. */
  HostTensor read(Session session) {
    try (Result r = session.runner().fetch(hostRead).run()) {
      return Conversions.toHost(r.get(0));
    }
  }

  /** Throws unless {@code value} has this variable's shape and type. */
  void check(HostTensor value) {
    if (!value.shape().equals(shape)) {
      throw new IllegalArgumentException(
          "'" + name + "' has shape " + shape + ", the value has shape " + value.shape());
    }
    if (value.dtype() != dtype) {
      throw new IllegalArgumentException("'" + name + "' holds " + dtype + ", the value is " + value.dtype());
    }
  }
}
