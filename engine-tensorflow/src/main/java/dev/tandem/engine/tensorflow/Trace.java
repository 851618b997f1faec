package dev.tandem.engine.tensorflow;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TString;

/**
 * One trace of a function: a name scope in the engine's graph, the nodes made in it, and the
 * variable reads it uses (one {@code ReadVariableOp} per variable and trace, so that gradients
 * with respect to a parameter and the ordering of updates are well defined).
 */
final class Trace {
  /** The node attribute that keeps a node out of (false) or puts it into (true) XLA clusters. */
  static final String XLA_COMPILE_ATTR = "_XlaCompile";

  private final Scope scope;
  private final boolean xla;
  private final boolean detached;
  private final TfOps ops;
  private final Map<TfVariable, TfNode> reads = new LinkedHashMap<>();
  private final Map<String, Output<?>> constants = new HashMap<>();

  /**
   * @param xla whether XLA auto-clustering may compile this trace's nodes; false marks every node
   *     {@value #XLA_COMPILE_ATTR}{@code =false}, so the trace runs on TensorFlow's kernels
   * @param detached whether the trace lives in a graph of its own rather than the engine's: it
   *     then reads each variable through a placeholder, fed with the variable's value on each run
   */
  Trace(Scope scope, boolean xla, boolean detached) {
    this.scope = scope;
    this.xla = xla;
    this.detached = detached;
    this.ops = new TfOps(this);
  }

  /** The op set that builds nodes in this trace. */
  TfOps ops() {
    return ops;
  }

  Scope scope() {
    return scope;
  }

  /** A valid TensorFlow op name derived from {@code name}. */
  static String opName(String name) {
    String s = name.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    return s.isEmpty() || !Character.isLetterOrDigit(s.charAt(0)) && s.charAt(0) != '.' ? "v" + s : s;
  }

  /** A builder for one op of this trace, kept out of XLA clusters when the trace is not compiled. */
  OperationBuilder builder(String type) {
    OperationBuilder b = scope.opBuilder(type, type);
    if (!xla) {
      b.setAttr(XLA_COMPILE_ATTR, false);
    }
    return b;
  }

  /** Builds one op with the given inputs; {@code attrs} sets its attributes. */
  Operation op(String type, Consumer<OperationBuilder> attrs, Output<?>... inputs) {
    OperationBuilder b = builder(type);
    for (Output<?> in : inputs) {
      b.addInput(in);
    }
    if (attrs != null) {
      attrs.accept(b);
    }
    return b.build();
  }

  /** Output 0 of a new op that runs after {@code after}, wrapped as a node. */
  TfNode nodeAfter(
      Operation after, String type, Shape shape, DType dtype, Consumer<OperationBuilder> attrs, Output<?>... inputs) {
    return node(type, shape, dtype, b -> {
      b.addControlInput(after);
      if (attrs != null) {
        attrs.accept(b);
      }
    }, inputs);
  }

  /** Output 0 of a new op, wrapped as a node. */
  TfNode node(String type, Shape shape, DType dtype, Consumer<OperationBuilder> attrs, Output<?>... inputs) {
    return new TfNode(this, op(type, attrs, inputs).output(0), shape, dtype);
  }

  /**
   * An {@code Assert} that fails the run, naming {@code op}, unless every index is in {@code [0,
   * bound)}: kernels would fail with a less clear message, XLA would clamp silently. It depends on
   * the indices only, so it runs outside XLA clusters and leaves them whole.
   */
  Operation checkIndices(String op, TfNode indices, int bound) {
    Output<?> ok = op("LogicalAnd", null,
        op("GreaterEqual", null, indices.output(), intScalar(0)).output(0),
        op("Less", null, indices.output(), intScalar(bound)).output(0)).output(0);
    int[] axes = new int[indices.shape().rank()];
    for (int i = 0; i < axes.length; i++) {
      axes[i] = i;
    }
    Output<?> all = op("All", b -> b.setAttr("keep_dims", false), ok, ints(axes)).output(0);
    String message = op + ": an index is outside [0, " + bound + "); indices:";
    try (TString m = TString.scalarOf(message)) {
      Output<?> text = op("Const", b -> b.setAttr("value", m).setAttr("dtype", DataType.DT_STRING)).output(0);
      return builder("Assert")
          .addInput(all)
          .addInputList(new Output<?>[] {text, indices.output()})
          .setAttr("summarize", 16L)
          .build();
    }
  }

  /** A placeholder with a static shape. */
  TfNode placeholder(Shape shape, DType dtype) {
    return node("Placeholder", shape, dtype,
        b -> b.setAttr("dtype", Conversions.dataType(dtype)).setAttr("shape", Conversions.tfShape(shape)));
  }

  /**
   * This trace's read of a variable (made on first use): a {@code ReadVariableOp}, or in a detached
   * trace a placeholder for the variable's value.
   */
  TfNode read(TfVariable v) {
    return reads.computeIfAbsent(v, k -> detached
        ? placeholder(k.shape, k.dtype)
        : node("ReadVariableOp", k.shape, k.dtype, b -> b.setAttr("dtype", Conversions.dataType(k.dtype)), k.handle));
  }

  /**
   * A read of {@code v} that runs only after {@code after}: a second read, not cached, so that the
   * nodes computed from it wait for {@code after} too (the same as {@link #read} in a detached trace).
   */
  TfNode readAfter(TfVariable v, Operation after) {
    if (detached) {
      return read(v);
    }
    return nodeAfter(after, "ReadVariableOp", v.shape, v.dtype,
        b -> b.setAttr("dtype", Conversions.dataType(v.dtype)), v.handle);
  }

  /** The variables read so far and their reads, in order of first use. */
  Map<TfVariable, TfNode> reads() {
    return reads;
  }

  /** A constant; small ones are shared within the trace. */
  TfNode constant(HostTensor h) {
    if (h.shape().size() > 16) {
      return new TfNode(this, makeConstant(h), h.shape(), h.dtype());
    }
    String key = h.dtype() + h.shape().toString()
        + (h.dtype() == DType.FLOAT32 ? Arrays.toString(h.floats()) : Arrays.toString(h.ints()));
    return new TfNode(this, constants.computeIfAbsent(key, k -> makeConstant(h)), h.shape(), h.dtype());
  }

  /** Float zeros of {@code shape} as a {@code Fill}: the graph holds the shape and one scalar, not the array. */
  TfNode zeros(Shape shape) {
    Output<?> fill = op("Fill", null, ints(shape.dims()), constant(HostTensor.scalar(0f)).output()).output(0);
    return new TfNode(this, fill, shape, DType.FLOAT32);
  }

  /** An INT32 vector constant, e.g. a shape or a permutation. */
  Output<?> ints(int... values) {
    return constant(HostTensor.ofInts(values.clone(), values.length)).output();
  }

  /** An INT32 scalar constant, e.g. an axis. */
  Output<?> intScalar(int value) {
    return constant(HostTensor.ofInts(new int[] {value})).output();
  }

  private Output<?> makeConstant(HostTensor h) {
    try (org.tensorflow.Tensor t = Conversions.toTf(h)) {
      return op("Const", b -> b.setAttr("value", t).setAttr("dtype", Conversions.dataType(h.dtype()))).output(0);
    }
  }

  /** The node behind {@code t}, which must belong to this trace. */
  TfNode of(Tensor t) {
    if (t instanceof TfNode n) {
      if (n.trace() != this) {
        throw new IllegalArgumentException(
            "tensor " + n + " belongs to another trace: a function may only use its inputs, its"
                + " parameters and tensors it creates");
      }
      return n;
    }
    if (t instanceof TfValue) {
      throw new IllegalArgumentException(
          "a device tensor cannot be captured by a traced function (its value would be frozen into"
              + " the graph): pass it as an input");
    }
    throw new IllegalArgumentException(
        "not a TensorFlow engine tensor: " + (t == null ? "null" : t.getClass().getName()));
  }
}
