package dev.tandem.api.testing;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A forward-only {@link TensorOps} in plain Java (double precision, row-major): enough to check
 * objectives and other tensor code against hand-computed values in unit tests, without an engine.
 * It implements the elementwise, reduction, shape, softmax and indexing ops; matmul, embedding and
 * the rest throw. No gradients.
 */
public final class HostOps implements TensorOps {
  /** A host tensor of this class. */
  public static final class T implements Tensor {
    final int[] shape;
    final double[] v;
    final DType dtype;

    T(int[] shape, double[] v, DType dtype) {
      if (size(shape) != v.length) {
        throw new IllegalArgumentException(Arrays.toString(shape) + " holds " + size(shape) + " values, not " + v.length);
      }
      this.shape = shape.clone();
      this.v = v;
      this.dtype = dtype;
    }

    @Override
    public Shape shape() {
      return Shape.of(shape);
    }

    @Override
    public DType dtype() {
      return dtype;
    }

    /** The values. */
    public double[] values() {
      return v.clone();
    }

    /** The value of a one-element tensor. */
    public double item() {
      if (v.length != 1) {
        throw new IllegalStateException("item() of " + Arrays.toString(shape));
      }
      return v[0];
    }
  }

  /** A tensor holding {@code h}'s values. */
  public static T of(HostTensor h) {
    double[] d = new double[h.shape().size()];
    if (h.dtype() == DType.FLOAT32) {
      float[] f = h.floats();
      for (int i = 0; i < d.length; i++) {
        d[i] = f[i];
      }
    } else {
      int[] n = h.ints();
      for (int i = 0; i < d.length; i++) {
        d[i] = n[i];
      }
    }
    return new T(h.shape().dims(), d, h.dtype());
  }

  /** The tensor's values as a {@link T} (it must be one). */
  public static T host(Tensor t) {
    return (T) t;
  }

  static int size(int[] s) {
    int n = 1;
    for (int d : s) {
      n *= d;
    }
    return n;
  }

  private static int ax(int[] shape, int axis) {
    return axis < 0 ? axis + shape.length : axis;
  }

  // ---- creation ---------------------------------------------------------------------------------

  @Override
  public Tensor constant(HostTensor value) {
    return of(value);
  }

  // ---- elementwise ------------------------------------------------------------------------------

  private static T binary(Tensor a, Tensor b, DoubleBinaryOperator f) {
    T x = host(a);
    T y = host(b);
    int rank = Math.max(x.shape.length, y.shape.length);
    int[] out = new int[rank];
    int[] xs = pad(x.shape, rank);
    int[] ys = pad(y.shape, rank);
    for (int i = 0; i < rank; i++) {
      if (xs[i] != ys[i] && xs[i] != 1 && ys[i] != 1) {
        throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(x.shape) + " with " + Arrays.toString(y.shape));
      }
      out[i] = Math.max(xs[i], ys[i]);
    }
    double[] r = new double[size(out)];
    int[] idx = new int[rank];
    for (int n = 0; n < r.length; n++) {
      int rem = n;
      for (int i = rank - 1; i >= 0; i--) {
        idx[i] = rem % out[i];
        rem /= out[i];
      }
      r[n] = f.applyAsDouble(x.v[offset(idx, xs)], y.v[offset(idx, ys)]);
    }
    return new T(out, r, x.dtype);
  }

  private static int[] pad(int[] s, int rank) {
    int[] p = new int[rank];
    Arrays.fill(p, 1);
    System.arraycopy(s, 0, p, rank - s.length, s.length);
    return p;
  }

  private static int offset(int[] idx, int[] shape) {
    int o = 0;
    for (int i = 0; i < shape.length; i++) {
      o = o * shape[i] + (shape[i] == 1 ? 0 : idx[i]);
    }
    return o;
  }

  private static T unary(Tensor a, DoubleUnaryOperator f) {
    T x = host(a);
    double[] r = new double[x.v.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = f.applyAsDouble(x.v[i]);
    }
    return new T(x.shape, r, x.dtype);
  }

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return binary(a, b, Double::sum);
  }

  @Override
  public Tensor sub(Tensor a, Tensor b) {
    return binary(a, b, (x, y) -> x - y);
  }

  @Override
  public Tensor mul(Tensor a, Tensor b) {
    return binary(a, b, (x, y) -> x * y);
  }

  @Override
  public Tensor div(Tensor a, Tensor b) {
    return binary(a, b, (x, y) -> x / y);
  }

  @Override
  public Tensor maximum(Tensor a, Tensor b) {
    return binary(a, b, Math::max);
  }

  @Override
  public Tensor neg(Tensor x) {
    return unary(x, v -> -v);
  }

  @Override
  public Tensor exp(Tensor x) {
    return unary(x, Math::exp);
  }

  @Override
  public Tensor log(Tensor x) {
    return unary(x, Math::log);
  }

  @Override
  public Tensor sqrt(Tensor x) {
    return unary(x, Math::sqrt);
  }

  @Override
  public Tensor square(Tensor x) {
    return unary(x, v -> v * v);
  }

  @Override
  public Tensor tanh(Tensor x) {
    return unary(x, Math::tanh);
  }

  @Override
  public Tensor sin(Tensor x) {
    return unary(x, Math::sin);
  }

  @Override
  public Tensor cos(Tensor x) {
    return unary(x, Math::cos);
  }

  @Override
  public Tensor sigmoid(Tensor x) {
    return unary(x, v -> 1 / (1 + Math.exp(-v)));
  }

  @Override
  public Tensor relu(Tensor x) {
    return unary(x, v -> Math.max(v, 0));
  }

  @Override
  public Tensor pow(Tensor x, float exponent) {
    return unary(x, v -> Math.pow(v, exponent));
  }

  // ---- linear algebra, embedding: not needed by the tests that use this class -------------------

  @Override
  public Tensor matmul(Tensor a, Tensor b) {
    throw new UnsupportedOperationException("HostOps has no matmul");
  }

  @Override
  public Tensor embedding(Tensor table, Tensor ids) {
    throw new UnsupportedOperationException("HostOps has no embedding");
  }

  // ---- shape ------------------------------------------------------------------------------------

  @Override
  public Tensor reshape(Tensor x, int... shape) {
    T t = host(x);
    int[] s = shape.clone();
    int known = 1;
    int free = -1;
    for (int i = 0; i < s.length; i++) {
      if (s[i] == -1) {
        free = i;
      } else {
        known *= s[i];
      }
    }
    if (free >= 0) {
      s[free] = t.v.length / known;
    }
    return new T(s, t.v.clone(), t.dtype);
  }

  @Override
  public Tensor transpose(Tensor x, int... perm) {
    T t = host(x);
    int rank = t.shape.length;
    int[] out = new int[rank];
    for (int i = 0; i < rank; i++) {
      out[i] = t.shape[perm[i]];
    }
    double[] r = new double[t.v.length];
    int[] idx = new int[rank];
    int[] src = new int[rank];
    for (int n = 0; n < r.length; n++) {
      int rem = n;
      for (int i = rank - 1; i >= 0; i--) {
        idx[i] = rem % out[i];
        rem /= out[i];
      }
      for (int i = 0; i < rank; i++) {
        src[perm[i]] = idx[i];
      }
      r[n] = t.v[offset(src, t.shape)];
    }
    return new T(out, r, t.dtype);
  }

  @Override
  public Tensor slice(Tensor x, int axis, int start, int end) {
    T t = host(x);
    int a = ax(t.shape, axis);
    int outer = size(Arrays.copyOfRange(t.shape, 0, a));
    int inner = size(Arrays.copyOfRange(t.shape, a + 1, t.shape.length));
    int n = t.shape[a];
    int[] out = t.shape.clone();
    out[a] = end - start;
    double[] r = new double[size(out)];
    int k = 0;
    for (int o = 0; o < outer; o++) {
      for (int i = start; i < end; i++) {
        System.arraycopy(t.v, (o * n + i) * inner, r, k, inner);
        k += inner;
      }
    }
    return new T(out, r, t.dtype);
  }

  @Override
  public Tensor concat(List<Tensor> xs, int axis) {
    T first = host(xs.get(0));
    int a = ax(first.shape, axis);
    int outer = size(Arrays.copyOfRange(first.shape, 0, a));
    int inner = size(Arrays.copyOfRange(first.shape, a + 1, first.shape.length));
    int[] out = first.shape.clone();
    out[a] = 0;
    for (Tensor x : xs) {
      out[a] += host(x).shape[a];
    }
    double[] r = new double[size(out)];
    int k = 0;
    for (int o = 0; o < outer; o++) {
      for (Tensor x : xs) {
        T t = host(x);
        int len = t.shape[a] * inner;
        System.arraycopy(t.v, o * len, r, k, len);
        k += len;
      }
    }
    return new T(out, r, first.dtype);
  }

  @Override
  public Tensor broadcastTo(Tensor x, int... shape) {
    return binary(x, new T(shape, new double[size(shape)], host(x).dtype), (p, q) -> p);
  }

  // ---- reductions -------------------------------------------------------------------------------

  private static T reduce(Tensor x, int axis, boolean keepDims, DoubleBinaryOperator f, double init) {
    T t = host(x);
    int a = ax(t.shape, axis);
    int outer = size(Arrays.copyOfRange(t.shape, 0, a));
    int inner = size(Arrays.copyOfRange(t.shape, a + 1, t.shape.length));
    int n = t.shape[a];
    double[] r = new double[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double acc = init;
        for (int j = 0; j < n; j++) {
          acc = f.applyAsDouble(acc, t.v[(o * n + j) * inner + i]);
        }
        r[o * inner + i] = acc;
      }
    }
    int[] out;
    if (keepDims) {
      out = t.shape.clone();
      out[a] = 1;
    } else {
      out = new int[t.shape.length - 1];
      for (int i = 0, k = 0; i < t.shape.length; i++) {
        if (i != a) {
          out[k++] = t.shape[i];
        }
      }
    }
    return new T(out, r, t.dtype);
  }

  @Override
  public Tensor sum(Tensor x, int axis, boolean keepDims) {
    return reduce(x, axis, keepDims, Double::sum, 0);
  }

  @Override
  public Tensor max(Tensor x, int axis, boolean keepDims) {
    return reduce(x, axis, keepDims, Math::max, Double.NEGATIVE_INFINITY);
  }

  // ---- normalisation ----------------------------------------------------------------------------

  @Override
  public Tensor softmax(Tensor x, int axis) {
    return exp(logSoftmax(x, axis));
  }

  @Override
  public Tensor logSoftmax(Tensor x, int axis) {
    Tensor shifted = sub(x, max(x, axis, true));
    return sub(shifted, log(sum(exp(shifted), axis, true)));
  }

  // ---- indexing ---------------------------------------------------------------------------------

  @Override
  public Tensor takeAlongLastAxis(Tensor x, Tensor index) {
    T t = host(x);
    T i = host(index);
    int v = t.shape[t.shape.length - 1];
    double[] r = new double[i.v.length];
    for (int n = 0; n < r.length; n++) {
      r[n] = t.v[n * v + (int) i.v[n]];
    }
    return new T(i.shape, r, t.dtype);
  }

  @Override
  public Tensor where(Tensor mask, Tensor a, Tensor b) {
    // broadcast the three: select on the mask's value
    T picked = binary(binary(mask, a, (c, p) -> p), b, (p, q) -> p);
    T other = binary(binary(mask, b, (c, q) -> q), a, (q, p) -> q);
    T cond = binary(binary(mask, a, (c, p) -> c), b, (c, q) -> c);
    double[] r = new double[cond.v.length];
    for (int n = 0; n < r.length; n++) {
      r[n] = cond.v[n] != 0 ? picked.v[n] : other.v[n];
    }
    return new T(cond.shape, r, host(a).dtype);
  }

  @Override
  public Tensor cast(Tensor x, DType dtype) {
    T t = host(x);
    return new T(t.shape, dtype == DType.INT32 ? Arrays.stream(t.v).map(d -> (long) d).toArray() : t.v.clone(), dtype);
  }
}
