package dev.tandem.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * {@link TensorOps} over DJL's PyTorch engine, executed eagerly. Every result is attached to one
 * manager, the <em>scope</em> (a function call or train step), so that closing the scope frees all
 * intermediates: PyTorch ops put their result in the first operand's manager, which may be a
 * parameter's or the caller's. Scoped ops cache scalar constants for the scope's lifetime.
 *
 * <p>In <em>eager</em> mode (for {@link DjlEngine#eagerOps()}) results are owned by the caller,
 * scalars are not cached, and composite ops close their intermediates, so nothing accumulates.
 */
final class DjlOps implements TensorOps {
  /** {@code 2 sqrt(2/pi)}: GELU(x) = x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)). */
  private static final float GELU_A = (float) (2 * Math.sqrt(2 / Math.PI));

  private static final float GELU_B = (float) (2 * Math.sqrt(2 / Math.PI) * 0.044715);

  /** Whether {@link #linear} may use the rows-first form (system property {@code tandem.djl.rowsFirstLinear}). */
  private static final boolean ROWS_FIRST = !"false".equalsIgnoreCase(System.getProperty("tandem.djl.rowsFirstLinear"));

  private static final int ROWS_FIRST_MIN = 12;
  private static final int ROWS_FIRST_MAX = 48;

  private final DjlEngine engine;
  private final NDManager scope;
  /** Where results go: {@link #scope}, or the innermost {@link #tidy}'s manager. */
  private NDManager current;
  private final boolean eager;
  private final Map<Integer, PtNDArray> scalars = new HashMap<>();

  DjlOps(DjlEngine engine, NDManager scope, boolean eager) {
    this.engine = engine;
    this.scope = scope;
    this.current = scope;
    this.eager = eager;
  }

  /** The array of a tensor of this engine. */
  PtNDArray nd(Tensor t) {
    if (t instanceof DjlTensor d && d.engine() == engine) {
      return (PtNDArray) d.array();
    }
    throw new IllegalArgumentException(
        "tensor " + t + " was not created by this DJL engine (upload it first)");
  }

  /** Moves a result into the current scope (the step's, or a {@link #tidy}'s) and wraps it. */
  Tensor wrap(NDArray r) {
    if (r.getManager() != current) {
      r.attach(current);
    }
    return new DjlTensor(engine, r, eager);
  }

  /** A float scalar array; cached in scoped mode, to be closed by the caller in eager mode. */
  private PtNDArray scalarArray(float v) {
    if (eager) {
      return (PtNDArray) scope.create(v);
    }
    return scalars.computeIfAbsent(Float.floatToIntBits(v), k -> (PtNDArray) scope.create(v));
  }

  private void release(NDArray scalar) {
    if (eager) {
      scalar.close();
    }
  }

  private Tensor withScalar(Tensor a, float s, BinaryOperator<PtNDArray> op) {
    PtNDArray sc = scalarArray(s);
    try {
      return wrap(op.apply(nd(a), sc));
    } finally {
      release(sc);
    }
  }

  // ---- memory -----------------------------------------------------------------------------------

  /**
   * Results created by {@code body} go to a sub-manager of the current one, closed when it returns;
   * the returned tensor moves out first. Autograd keeps its own references to what backward needs,
   * so closing the rest frees their memory now. Cached scalars stay in the step's scope. In eager
   * mode the caller owns every result, so this just runs {@code body}.
   */
  @Override
  public Tensor tidy(java.util.function.Supplier<Tensor> body) {
    return tidyAll(() -> List.of(body.get())).get(0);
  }

  @Override
  public List<Tensor> tidyAll(java.util.function.Supplier<List<Tensor>> body) {
    if (eager) {
      return body.get();
    }
    NDManager outer = current;
    NDManager inner = outer.newSubManager();
    current = inner;
    try {
      List<Tensor> result = body.get();
      for (Tensor t : result) {
        NDArray r = nd(t);
        if (r.getManager() == inner) {
          r.attach(outer);
        }
      }
      return result;
    } finally {
      current = outer;
      inner.close();
    }
  }

  // ---- creation ---------------------------------------------------------------------------------

  @Override
  public Tensor constant(HostTensor value) {
    return wrap(DjlEngine.create(current, value));
  }

  @Override
  public Tensor scalar(float value) {
    if (eager) {
      return wrap(current.create(value));
    }
    return new DjlTensor(engine, scalarArray(value), false);
  }

  @Override
  public Tensor zeros(int... shape) {
    return wrap(current.zeros(DjlTensor.toDjl(shape), DataType.FLOAT32));
  }

  // ---- binary -----------------------------------------------------------------------------------

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return wrap(JniUtils.add(nd(a), nd(b)));
  }

  @Override
  public Tensor sub(Tensor a, Tensor b) {
    return wrap(JniUtils.sub(nd(a), nd(b)));
  }

  @Override
  public Tensor mul(Tensor a, Tensor b) {
    return wrap(JniUtils.mul(nd(a), nd(b)));
  }

  @Override
  public Tensor div(Tensor a, Tensor b) {
    return wrap(JniUtils.div(nd(a), nd(b)));
  }

  /** {@code where(a >= b, a, b)}: PyTorch's own maximum splits the gradient on ties. */
  @Override
  public Tensor maximum(Tensor a, Tensor b) {
    PtNDArray x = nd(a);
    PtNDArray y = nd(b);
    try (PtNDArray cond = JniUtils.gte(x, y)) {
      return wrap(JniUtils.where(cond, x, y));
    }
  }

  @Override
  public Tensor add(Tensor a, float s) {
    return withScalar(a, s, JniUtils::add);
  }

  @Override
  public Tensor mul(Tensor a, float s) {
    return withScalar(a, s, JniUtils::mul);
  }

  // ---- unary ------------------------------------------------------------------------------------

  @Override
  public Tensor neg(Tensor x) {
    return wrap(JniUtils.neg(nd(x)));
  }

  @Override
  public Tensor exp(Tensor x) {
    return wrap(JniUtils.exp(nd(x)));
  }

  @Override
  public Tensor log(Tensor x) {
    return wrap(JniUtils.log(nd(x)));
  }

  @Override
  public Tensor sqrt(Tensor x) {
    return wrap(JniUtils.sqrt(nd(x)));
  }

  @Override
  public Tensor square(Tensor x) {
    return wrap(JniUtils.square(nd(x)));
  }

  @Override
  public Tensor tanh(Tensor x) {
    return wrap(JniUtils.tanh(nd(x)));
  }

  @Override
  public Tensor sin(Tensor x) {
    return wrap(JniUtils.sin(nd(x)));
  }

  @Override
  public Tensor cos(Tensor x) {
    return wrap(JniUtils.cos(nd(x)));
  }

  @Override
  public Tensor sigmoid(Tensor x) {
    return wrap(JniUtils.sigmoid(nd(x)));
  }

  @Override
  public Tensor relu(Tensor x) {
    return wrap(JniUtils.relu(nd(x)));
  }

  @Override
  public Tensor pow(Tensor x, float exponent) {
    return withScalar(x, exponent, JniUtils::pow);
  }

  /**
   * The tanh approximation: PyTorch's fused kernel through {@link DjlKernels} when loaded, else
   * {@code x sigmoid(2z)} (equal to {@code 0.5 x (1 + tanh z)}) in six kernels. DJL's native gelu
   * is PyTorch's default, the exact erf form, so it is not used.
   */
  @Override
  public Tensor gelu(Tensor t) {
    PtNDArray x = nd(t);
    DjlKernels k = engine.kernels();
    if (k != null) {
      return wrap(k.gelu(x));
    }
    PtNDArray a = scalarArray(GELU_A);
    PtNDArray b = scalarArray(GELU_B);
    try (PtNDArray x2 = JniUtils.square(x);
        PtNDArray bx2 = JniUtils.mul(x2, b);
        PtNDArray poly = JniUtils.add(bx2, a);
        PtNDArray z = JniUtils.mul(poly, x);
        PtNDArray s = JniUtils.sigmoid(z)) {
      return wrap(JniUtils.mul(s, x));
    } finally {
      release(a);
      release(b);
    }
  }

  /** {@code -softplus(-x)}; PyTorch's softplus is linear above 20, so this is stable. */
  @Override
  public Tensor logSigmoid(Tensor t) {
    try (PtNDArray n = JniUtils.neg(nd(t));
        PtNDArray sp = JniUtils.softPlus(n)) {
      return wrap(JniUtils.neg(sp));
    }
  }

  // ---- linear algebra ---------------------------------------------------------------------------

  @Override
  public Tensor matmul(Tensor a, Tensor b) {
    return wrap(JniUtils.matmul(nd(a), nd(b)));
  }

  /**
   * {@code x W^T}, formed as {@code (W x^T)^T} when {@code x} has {@value #ROWS_FIRST_MIN} to {@value
   * #ROWS_FIRST_MAX} rows (batched decoding), no gradient is being recorded, and oneMKL runs with
   * {@link MklOnAmd}. On this project's 2-core AMD EPYC, at 16 rows, oneMKL ran the direct form of
   * SmolLM2's and Qwen3-0.6B's products at 56-120 GFLOP/s and this form at 142-269 (SmolLM2's 1536 x
   * 576 MLP weight 251 against 126 microseconds, its head 10.9 against 5.0 ms). At 1 row the forms
   * took about the same time. At 8 rows the MLP products favoured the direct form. At 64 rows neither
   * form won throughout ({@code DjlLinearBenchmark}, benchmarks/README.md). Where it was not measured
   * (training's backward pass, other CPUs) the direct form stays. The result is then a transposed
   * view. {@code -Dtandem.djl.rowsFirstLinear=false} keeps the direct form everywhere.
   */
  @Override
  public Tensor linear(Tensor x, Tensor w) {
    if (w.shape().rank() != 2 || x.shape().rank() < 1 || x.shape().dim(-1) != w.shape().dim(1)) {
      throw new IllegalArgumentException("linear: weight must be [out, in] and x [..., in]; got x " + x.shape() + ", weight " + w.shape());
    }
    PtNDArray xa = nd(x);
    PtNDArray wa = nd(w);
    int[] d = x.shape().dims();
    long rows = x.shape().size() / Math.max(1, d[d.length - 1]);
    if (!ROWS_FIRST || rows < ROWS_FIRST_MIN || rows > ROWS_FIRST_MAX || JniUtils.isGradMode() || !MklOnAmd.active()) {
      try (PtNDArray wt = JniUtils.transpose(wa, 0, 1)) {
        return wrap(JniUtils.matmul(xa, wt));
      }
    }
    long[] out = new long[d.length];
    for (int i = 0; i < d.length - 1; i++) {
      out[i] = d[i];
    }
    out[d.length - 1] = w.shape().dim(0);
    try (PtNDArray x2 = JniUtils.reshape(xa, new long[] {rows, d[d.length - 1]});
        PtNDArray xt = JniUtils.transpose(x2, 0, 1);
        PtNDArray yt = JniUtils.matmul(wa, xt);
        PtNDArray y = JniUtils.transpose(yt, 0, 1)) {
      return wrap(JniUtils.reshape(y, out));
    }
  }

  // ---- shape ------------------------------------------------------------------------------------

  @Override
  public Tensor reshape(Tensor x, int... shape) {
    long[] dims = new long[shape.length];
    for (int i = 0; i < shape.length; i++) {
      dims[i] = shape[i];
    }
    return wrap(JniUtils.reshape(nd(x), dims));
  }

  @Override
  public Tensor transpose(Tensor x, int... perm) {
    long[] p = new long[perm.length];
    for (int i = 0; i < perm.length; i++) {
      p[i] = perm[i];
    }
    return wrap(JniUtils.permute(nd(x), p));
  }

  @Override
  public Tensor slice(Tensor x, int axis, int start, int end) {
    return wrap(JniUtils.slice(nd(x), axis(x, axis), start, end, 1));
  }

  @Override
  public Tensor concat(List<Tensor> xs, int axis) {
    PtNDArray[] arrays = new PtNDArray[xs.size()];
    for (int i = 0; i < arrays.length; i++) {
      arrays[i] = nd(xs.get(i));
    }
    return wrap(JniUtils.cat(arrays, axis));
  }

  @Override
  public Tensor broadcastTo(Tensor x, int... shape) {
    return wrap(JniUtils.broadcast(nd(x), DjlTensor.toDjl(shape)));
  }

  // ---- reductions -------------------------------------------------------------------------------

  @Override
  public Tensor sum(Tensor x, int axis, boolean keepDims) {
    return wrap(JniUtils.sum(nd(x), new long[] {axis}, keepDims));
  }

  @Override
  public Tensor mean(Tensor x, int axis, boolean keepDims) {
    return wrap(JniUtils.mean(nd(x), axis, keepDims));
  }

  @Override
  public Tensor max(Tensor x, int axis, boolean keepDims) {
    return wrap(JniUtils.max(nd(x), axis, keepDims));
  }

  @Override
  public Tensor sumAll(Tensor x) {
    return wrap(JniUtils.sum(nd(x)));
  }

  // ---- normalisation ----------------------------------------------------------------------------

  @Override
  public Tensor softmax(Tensor x, int axis) {
    return wrap(JniUtils.softmax(nd(x), axis, DataType.FLOAT32));
  }

  @Override
  public Tensor logSoftmax(Tensor x, int axis) {
    return wrap(JniUtils.logSoftmax(nd(x), axis, DataType.FLOAT32));
  }

  @Override
  public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    PtNDArray a = nd(x);
    ai.djl.ndarray.types.Shape last = new ai.djl.ndarray.types.Shape(a.getShape().tail());
    return wrap(JniUtils.layerNorm(a, last, nd(gamma), nd(beta), eps));
  }

  // ---- indexing ---------------------------------------------------------------------------------

  @Override
  public Tensor embedding(Tensor table, Tensor ids) {
    return wrap(JniUtils.embedding(nd(ids), nd(table), false));
  }

  @Override
  public Tensor takeAlongLastAxis(Tensor x, Tensor index) {
    PtNDArray idx = nd(index);
    try (PtNDArray wide = JniUtils.to(idx, DataType.INT64, idx.getDevice());
        PtNDArray col = JniUtils.unsqueeze(wide, -1);
        PtNDArray picked = JniUtils.gather(nd(x), col, -1)) {
      return wrap(JniUtils.squeeze(picked, -1));
    }
  }

  @Override
  public Tensor where(Tensor mask, Tensor a, Tensor b) {
    PtNDArray zero = scalarArray(0f);
    try (PtNDArray cond = JniUtils.neq(nd(mask), zero)) {
      return wrap(JniUtils.where(cond, nd(a), nd(b)));
    } finally {
      release(zero);
    }
  }

  @Override
  public Tensor cast(Tensor x, DType dtype) {
    PtNDArray a = nd(x);
    DataType target = DjlTensor.toDataType(dtype);
    if (a.getDataType() == target) {
      return eager ? wrap(JniUtils.clone(a)) : x;
    }
    return wrap(JniUtils.to(a, target, a.getDevice()));
  }

  private static int axis(Tensor x, int axis) {
    int rank = x.shape().rank();
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException("axis " + axis + " out of range for shape " + x.shape());
    }
    return a;
  }
}
