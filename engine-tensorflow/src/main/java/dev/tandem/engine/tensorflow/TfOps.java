package dev.tandem.engine.tensorflow;

import static dev.tandem.engine.tensorflow.ShapeRules.axis;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import org.tensorflow.Output;

/**
 * {@link TensorOps} that add nodes to the graph of one {@link Trace}. Every op maps to TensorFlow
 * ops whose gradients are registered in the C API, checked by the engine's tests; a few defaults
 * are overridden with shorter, equivalent graphs (fewer nodes also means a faster backward pass).
 */
final class TfOps implements TensorOps {
  /** Whether {@link #linear} may use the rows-first form (system property {@code tandem.tf.rowsFirstLinear}). */
  private static final boolean ROWS_FIRST = !"false".equalsIgnoreCase(System.getProperty("tandem.tf.rowsFirstLinear"));

  private static final int ROWS_FIRST_MIN = 16;
  private static final int ROWS_FIRST_MAX = 64;

  private final Trace t;

  TfOps(Trace trace) {
    this.t = trace;
  }

  // ---- creation -------------------------------------------------------------------------------

  @Override
  public Tensor constant(HostTensor value) {
    return t.constant(value);
  }

  @Override
  public Tensor scalar(float value) {
    return t.constant(HostTensor.scalar(value));
  }

  /** A {@code Fill} of 0: the graph holds the shape, not an array of zeros. */
  @Override
  public Tensor zeros(int... shape) {
    return t.zeros(Shape.of(shape));
  }

  // ---- elementwise, binary --------------------------------------------------------------------

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return binary("AddV2", "add", a, b);
  }

  @Override
  public Tensor sub(Tensor a, Tensor b) {
    return binary("Sub", "sub", a, b);
  }

  @Override
  public Tensor mul(Tensor a, Tensor b) {
    return binary("Mul", "mul", a, b);
  }

  @Override
  public Tensor div(Tensor a, Tensor b) {
    return binary("RealDiv", "div", a, b);
  }

  @Override
  public Tensor maximum(Tensor a, Tensor b) {
    // TensorFlow's gradient of Maximum uses x >= y: ties go to the first operand, as specified
    return binary("Maximum", "maximum", a, b);
  }

  private TfNode binary(String type, String name, Tensor a, Tensor b) {
    TfNode x = floats(name, a);
    TfNode y = floats(name, b);
    Shape s = ShapeRules.broadcast(name, x.shape(), y.shape());
    return t.node(type, s, DType.FLOAT32, null, x.output(), y.output());
  }

  // ---- elementwise, unary ---------------------------------------------------------------------

  @Override
  public Tensor neg(Tensor x) {
    return unary("Neg", x);
  }

  @Override
  public Tensor exp(Tensor x) {
    return unary("Exp", x);
  }

  @Override
  public Tensor log(Tensor x) {
    return unary("Log", x);
  }

  @Override
  public Tensor sqrt(Tensor x) {
    return unary("Sqrt", x);
  }

  @Override
  public Tensor square(Tensor x) {
    return unary("Square", x);
  }

  @Override
  public Tensor tanh(Tensor x) {
    return unary("Tanh", x);
  }

  @Override
  public Tensor sin(Tensor x) {
    return unary("Sin", x);
  }

  @Override
  public Tensor cos(Tensor x) {
    return unary("Cos", x);
  }

  @Override
  public Tensor sigmoid(Tensor x) {
    return unary("Sigmoid", x);
  }

  @Override
  public Tensor relu(Tensor x) {
    return unary("Relu", x);
  }

  @Override
  public Tensor pow(Tensor x, float exponent) {
    if (exponent == 1f) {
      return unary("Identity", x);
    } else if (exponent == 2f) {
      return square(x);
    } else if (exponent == 3f) {
      return mul(x, square(x));
    } else if (exponent == 0.5f) {
      return sqrt(x);
    } else if (exponent == -0.5f) {
      return unary("Rsqrt", x);
    } else if (exponent == -1f) {
      return unary("Reciprocal", x);
    }
    return binary("Pow", "pow", x, scalar(exponent));
  }

  private TfNode unary(String type, Tensor x) {
    TfNode n = floats(type, x);
    return t.node(type, n.shape(), DType.FLOAT32, null, n.output());
  }

  /**
   * {@code -softplus(-x)}: one stable kernel instead of the default's seven nodes.
   */
  @Override
  public Tensor logSigmoid(Tensor x) {
    return neg(unary("Softplus", neg(x)));
  }

  /**
   * The tanh GELU as {@code x * sigmoid(2 sqrt(2/pi) x (1 + 0.044715 x^2))}: the same function,
   * since {@code (1 + tanh(z)) / 2 = sigmoid(2z)}, with fewer nodes.
   */
  @Override
  public Tensor gelu(Tensor x) {
    float c = (float) (2 * Math.sqrt(2 / Math.PI));
    Tensor inner = mul(x, add(mul(square(x), 0.044715f * c), c));
    return mul(x, sigmoid(inner));
  }

  // ---- linear algebra -------------------------------------------------------------------------

  @Override
  public Tensor matmul(Tensor a, Tensor b) {
    TfNode x = floats("matmul", a);
    TfNode y = floats("matmul", b);
    if (x.shape().rank() < 2 || y.shape().rank() < 2) {
      throw new IllegalArgumentException(
          "matmul: both operands need rank >= 2, got " + x.shape() + " and " + y.shape());
    }
    int k = x.shape().dim(-1);
    if (k != y.shape().dim(-2)) {
      throw new IllegalArgumentException("matmul: inner dimensions differ: " + x.shape() + " x " + y.shape());
    }
    Shape batch = ShapeRules.broadcast("matmul",
        ShapeRules.head(x.shape(), x.shape().rank() - 2), ShapeRules.head(y.shape(), y.shape().rank() - 2));
    Shape out = ShapeRules.concat(batch, x.shape().dim(-2), y.shape().dim(-1));
    TfNode xs = x.swappedLastTwoOf();
    TfNode ys = y.swappedLastTwoOf();
    TfNode xIn = xs != null ? xs : x;
    TfNode yIn = ys != null ? ys : y;
    boolean tb = ys != null;
    if (y.shape().rank() == 2 && x.shape().rank() == 2) {
      boolean ta = xs != null;
      return t.node("MatMul", out, DType.FLOAT32,
          o -> o.setAttr("transpose_a", ta).setAttr("transpose_b", tb), xIn.output(), yIn.output());
    }
    if (y.shape().rank() == 2) {
      // [..., n, k] x [k, m] as one 2-D MatMul over all rows: its gradient needs no batch reduction
      TfNode x2 = (TfNode) reshape(x, -1, k);
      TfNode p = t.node("MatMul", Shape.of(x2.shape().dim(0), y.shape().dim(1)), DType.FLOAT32,
          o -> o.setAttr("transpose_a", false).setAttr("transpose_b", tb), x2.output(), yIn.output());
      return reshape(p, out.dims());
    }
    return t.node("BatchMatMulV2", out, DType.FLOAT32,
        o -> o.setAttr("adj_x", xs != null).setAttr("adj_y", ys != null), xIn.output(), yIn.output());
  }

  /**
   * {@code x W^T}, formed as {@code (W x^T)^T} (a {@code MatMul} of the weight by the rows, then a
   * {@code Transpose} of the small result) when {@code x} has {@value #ROWS_FIRST_MIN} to {@value
   * #ROWS_FIRST_MAX} rows, as in batched decoding. On this project's 2-core AMD EPYC, oneDNN ran 30
   * layers of SmolLM2's q, gate and down products at 16 rows in 32.7-44.5 ms in the direct form and
   * 21.3-26.5 ms in this one, its head in 12.7-13.3 against 5.8-7.1 ms, and at 64 rows 47.6 against
   * 36.3 ms. At 1-12 rows the layers' products favoured the direct form (15.9 against 18.0 ms at 8
   * rows) ({@code TfLinearBenchmark}, benchmarks/README.md). The gradient flows through either form;
   * training's backward pass and other CPUs were not timed. Outside the window, and with
   * {@code -Dtandem.tf.rowsFirstLinear=false}, the direct form: one {@code MatMul} with {@code
   * transpose_b}.
   */
  @Override
  public Tensor linear(Tensor x, Tensor w) {
    TfNode xn = floats("linear", x);
    TfNode wn = floats("linear", w);
    if (wn.shape().rank() != 2 || xn.shape().rank() < 1 || xn.shape().dim(-1) != wn.shape().dim(1)) {
      throw new IllegalArgumentException("linear: weight must be [out, in] and x [..., in]; got x " + xn.shape() + ", weight " + wn.shape());
    }
    int in = wn.shape().dim(1);
    int rows = xn.shape().size() / Math.max(1, in);
    if (!ROWS_FIRST || rows < ROWS_FIRST_MIN || rows > ROWS_FIRST_MAX) {
      return matmul(xn, transpose(wn, 1, 0));
    }
    int[] out = xn.shape().dims().clone();
    out[out.length - 1] = wn.shape().dim(0);
    TfNode x2 = (TfNode) reshape(xn, rows, in);
    TfNode yt = t.node("MatMul", Shape.of(wn.shape().dim(0), rows), DType.FLOAT32,
        o -> o.setAttr("transpose_a", false).setAttr("transpose_b", true), wn.output(), x2.output());
    return reshape(transpose(yt, 1, 0), out);
  }

  // ---- shape ----------------------------------------------------------------------------------

  @Override
  public Tensor reshape(Tensor x, int... shape) {
    TfNode n = t.of(x);
    Shape s = ShapeRules.reshape(n.shape(), shape);
    if (s.equals(n.shape())) {
      return n;
    }
    return t.node("Reshape", s, n.dtype(), null, n.output(), t.ints(s.dims()));
  }

  @Override
  public Tensor transpose(Tensor x, int... perm) {
    TfNode n = t.of(x);
    int[] p = ShapeRules.permutation(perm, n.shape().rank());
    Shape s = ShapeRules.permute(n.shape(), p);
    Output<?> o = t.op("Transpose", null, n.output(), t.ints(p)).output(0);
    return new TfNode(t, o, s, n.dtype(), n, p);
  }

  @Override
  public Tensor slice(Tensor x, int axis, int start, int end) {
    TfNode n = t.of(x);
    int a = axis("slice", axis, n.shape().rank());
    int d = n.shape().dim(a);
    if (start < 0 || end > d || start > end) {
      throw new IllegalArgumentException(
          "slice: [" + start + ", " + end + ") is out of range for axis " + axis + " of " + n.shape());
    }
    if (start == 0 && end == d) {
      return n;
    }
    int[] begin = new int[n.shape().rank()];
    begin[a] = start;
    Shape s = ShapeRules.withDim(n.shape(), a, end - start);
    return t.node("Slice", s, n.dtype(), null, n.output(), t.ints(begin), t.ints(s.dims()));
  }

  @Override
  public Tensor concat(List<Tensor> xs, int axis) {
    if (xs.isEmpty()) {
      throw new IllegalArgumentException("concat: no tensors");
    }
    TfNode first = t.of(xs.get(0));
    int a = axis("concat", axis, first.shape().rank());
    Output<?>[] outs = new Output<?>[xs.size()];
    int total = 0;
    for (int i = 0; i < xs.size(); i++) {
      TfNode n = t.of(xs.get(i));
      if (n.dtype() != first.dtype()
          || n.shape().rank() != first.shape().rank()
          || !ShapeRules.withDim(n.shape(), a, 0).equals(ShapeRules.withDim(first.shape(), a, 0))) {
        throw new IllegalArgumentException(
            "concat: " + n.shape() + " " + n.dtype() + " does not match " + first.shape() + " "
                + first.dtype() + " outside axis " + axis);
      }
      outs[i] = n.output();
      total += n.shape().dim(a);
    }
    if (xs.size() == 1) {
      return first;
    }
    Shape s = ShapeRules.withDim(first.shape(), a, total);
    return new TfNode(t, t.builder("ConcatV2")
        .addInputList(outs).addInput(t.intScalar(a)).build().output(0), s, first.dtype());
  }

  @Override
  public Tensor broadcastTo(Tensor x, int... shape) {
    TfNode n = t.of(x);
    Shape target = Shape.of(shape);
    if (!ShapeRules.broadcast("broadcastTo", n.shape(), target).equals(target)) {
      throw new IllegalArgumentException("broadcastTo: cannot broadcast " + n.shape() + " to " + target);
    }
    if (target.equals(n.shape())) {
      return n;
    }
    return t.node("BroadcastTo", target, n.dtype(), null, n.output(), t.ints(shape));
  }

  // ---- reductions -----------------------------------------------------------------------------

  @Override
  public Tensor sum(Tensor x, int axis, boolean keepDims) {
    return reduce("Sum", x, axis, keepDims);
  }

  @Override
  public Tensor mean(Tensor x, int axis, boolean keepDims) {
    return reduce("Mean", x, axis, keepDims);
  }

  @Override
  public Tensor max(Tensor x, int axis, boolean keepDims) {
    return reduce("Max", x, axis, keepDims);
  }

  private TfNode reduce(String type, Tensor x, int axis, boolean keepDims) {
    TfNode n = floats(type, x);
    int a = axis(type, axis, n.shape().rank());
    Shape s = ShapeRules.reduce(n.shape(), a, keepDims);
    return t.node(type, s, DType.FLOAT32, o -> o.setAttr("keep_dims", keepDims), n.output(), t.intScalar(a));
  }

  // ---- normalisation --------------------------------------------------------------------------

  @Override
  public Tensor softmax(Tensor x, int axis) {
    return lastAxis("Softmax", x, axis);
  }

  @Override
  public Tensor logSoftmax(Tensor x, int axis) {
    return lastAxis("LogSoftmax", x, axis);
  }

  /**
   * A kernel over the last axis, applied to any axis by moving it last and back. The kernel always
   * sees a matrix: the C API's gradient of {@code LogSoftmax} sums over axis 1, right for rank 2
   * only.
   */
  private Tensor lastAxis(String type, Tensor x, int axis) {
    TfNode n = floats(type, x);
    int r = n.shape().rank();
    int a = axis(type, axis, r);
    if (a == r - 1) {
      if (r == 2) {
        return t.node(type, n.shape(), DType.FLOAT32, null, n.output());
      }
      TfNode flat = (TfNode) reshape(n, -1, n.shape().dim(-1));
      return reshape(t.node(type, flat.shape(), DType.FLOAT32, null, flat.output()), n.shape().dims());
    }
    int[] perm = new int[r];
    for (int i = 0; i < r; i++) {
      perm[i] = i;
    }
    perm[a] = r - 1;
    perm[r - 1] = a; // a swap is its own inverse
    return transpose(lastAxis(type, transpose(n, perm), -1), perm);
  }

  /** Mean, centred square, {@code Rsqrt}: fewer and cheaper nodes than the default. */
  @Override
  public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    Tensor centred = sub(x, mean(x, -1, true));
    Tensor variance = mean(square(centred), -1, true);
    Tensor normed = mul(centred, unary("Rsqrt", add(variance, eps)));
    return add(mul(normed, gamma), beta);
  }

  // ---- indexing and masks ---------------------------------------------------------------------

  @Override
  public Tensor embedding(Tensor table, Tensor ids) {
    TfNode w = floats("embedding", table);
    TfNode i = ints("embedding", ids);
    if (w.shape().rank() != 2) {
      throw new IllegalArgumentException("embedding: the table must be [N, D], not " + w.shape());
    }
    Shape s = ShapeRules.concat(i.shape(), w.shape().dim(1));
    return t.nodeAfter(t.checkIndices("embedding", i, w.shape().dim(0)), "GatherV2", s, DType.FLOAT32,
        o -> o.setAttr("batch_dims", 0L), w.output(), i.output(), t.intScalar(0));
  }

  /** {@code sum(x * one_hot(index), -1)}: plain ops with registered gradients. */
  @Override
  public Tensor takeAlongLastAxis(Tensor x, Tensor index) {
    TfNode v = floats("takeAlongLastAxis", x);
    TfNode i = ints("takeAlongLastAxis", index);
    if (!ShapeRules.head(v.shape(), Math.max(0, v.shape().rank() - 1)).equals(i.shape())) {
      throw new IllegalArgumentException(
          "takeAlongLastAxis: index shape " + i.shape() + " must be " + v.shape() + " without its last axis");
    }
    int depth = v.shape().dim(-1);
    TfNode oneHot = t.nodeAfter(t.checkIndices("takeAlongLastAxis", i, depth), "OneHot", v.shape(),
        DType.FLOAT32, o -> o.setAttr("axis", -1L),
        i.output(), t.intScalar(depth), t.constant(HostTensor.scalar(1f)).output(),
        t.constant(HostTensor.scalar(0f)).output());
    return sum(mul(v, oneHot), -1, false);
  }

  @Override
  public Tensor where(Tensor mask, Tensor a, Tensor b) {
    TfNode m = t.of(mask);
    TfNode x = floats("where", a);
    TfNode y = floats("where", b);
    Shape s = ShapeRules.broadcast("where", ShapeRules.broadcast("where", m.shape(), x.shape()), y.shape());
    HostTensor zero = m.dtype() == DType.FLOAT32 ? HostTensor.scalar(0f) : HostTensor.ofInts(new int[] {0});
    Output<?> cond = t.op("NotEqual", null, m.output(), t.constant(zero).output()).output(0);
    return t.node("SelectV2", s, DType.FLOAT32, null, cond, x.output(), y.output());
  }

  @Override
  public Tensor cast(Tensor x, DType dtype) {
    TfNode n = t.of(x);
    if (n.dtype() == dtype) {
      return n;
    }
    return t.node("Cast", n.shape(), dtype, o -> o.setAttr("DstT", Conversions.dataType(dtype)), n.output());
  }

  // ---- helpers --------------------------------------------------------------------------------

  private TfNode floats(String op, Tensor x) {
    TfNode n = t.of(x);
    if (n.dtype() != DType.FLOAT32) {
      throw new IllegalArgumentException(op + ": expected a FLOAT32 tensor, got " + n.dtype() + n.shape());
    }
    return n;
  }

  private TfNode ints(String op, Tensor x) {
    TfNode n = t.of(x);
    if (n.dtype() != DType.INT32) {
      throw new IllegalArgumentException(op + ": expected INT32 indices, got " + n.dtype() + n.shape());
    }
    return n;
  }
}
