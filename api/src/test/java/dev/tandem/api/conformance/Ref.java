package dev.tandem.api.conformance;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A plain-Java reference tensor in double precision, row-major, with the semantics that {@link
 * dev.tandem.api.tensor.TensorOps} specifies. Slow and obvious on purpose.
 */
final class Ref {
  final int[] shape;
  final double[] v;
  final DType dtype;

  Ref(int[] shape, double[] v, DType dtype) {
    if (size(shape) != v.length) {
      throw new IllegalArgumentException(Arrays.toString(shape) + " vs " + v.length);
    }
    this.shape = shape.clone();
    this.v = v;
    this.dtype = dtype;
  }

  Ref(int[] shape, double[] v) {
    this(shape, v, DType.FLOAT32);
  }

  /** The values of a host tensor. */
  static Ref of(HostTensor h) {
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
    return new Ref(h.shape().dims(), d, h.dtype());
  }

  static int size(int[] shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return n;
  }

  int rank() {
    return shape.length;
  }

  private int ax(int axis) {
    return axis < 0 ? axis + shape.length : axis;
  }

  private static int prod(int[] s, int from, int to) {
    int n = 1;
    for (int i = from; i < to; i++) {
      n *= s[i];
    }
    return n;
  }

  // ---- elementwise ------------------------------------------------------------------------------

  Ref map(DoubleUnaryOperator f) {
    double[] out = new double[v.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(v[i]);
    }
    return new Ref(shape, out, dtype);
  }

  static int[] broadcastShape(int[] a, int[] b) {
    int n = Math.max(a.length, b.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      int da = i < n - a.length ? 1 : a[i - (n - a.length)];
      int db = i < n - b.length ? 1 : b[i - (n - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            "cannot broadcast " + Arrays.toString(a) + " and " + Arrays.toString(b));
      }
      out[i] = da == 1 ? db : da;
    }
    return out;
  }

  static Ref zip(Ref a, Ref b, DoubleBinaryOperator f) {
    int[] s = broadcastShape(a.shape, b.shape);
    Ref x = a.broadcastTo(s);
    Ref y = b.broadcastTo(s);
    double[] out = new double[x.v.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = f.applyAsDouble(x.v[i], y.v[i]);
    }
    return new Ref(s, out);
  }

  Ref broadcastTo(int... target) {
    int n = target.length;
    int off = n - shape.length;
    int[] srcStrides = new int[n];
    int stride = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      srcStrides[i + off] = shape[i] == 1 ? 0 : stride;
      if (shape[i] != 1 && shape[i] != target[i + off]) {
        throw new IllegalArgumentException(
            "cannot broadcast " + Arrays.toString(shape) + " to " + Arrays.toString(target));
      }
      stride *= shape[i];
    }
    double[] out = new double[size(target)];
    int[] idx = new int[n];
    for (int i = 0; i < out.length; i++) {
      int src = 0;
      for (int d = 0; d < n; d++) {
        src += idx[d] * srcStrides[d];
      }
      out[i] = v[src];
      for (int d = n - 1; d >= 0; d--) {
        if (++idx[d] < target[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return new Ref(target, out, dtype);
  }

  // ---- shape ------------------------------------------------------------------------------------

  Ref reshape(int... s) {
    int[] t = s.clone();
    int known = 1;
    int free = -1;
    for (int i = 0; i < t.length; i++) {
      if (t[i] == -1) {
        free = i;
      } else {
        known *= t[i];
      }
    }
    if (free >= 0) {
      t[free] = v.length / known;
    }
    return new Ref(t, v.clone(), dtype);
  }

  Ref transpose(int... perm) {
    int n = shape.length;
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = shape[perm[i]];
    }
    int[] inStrides = new int[n];
    for (int i = n - 1, s = 1; i >= 0; i--) {
      inStrides[i] = s;
      s *= shape[i];
    }
    double[] r = new double[v.length];
    int[] idx = new int[n];
    for (int i = 0; i < r.length; i++) {
      int src = 0;
      for (int d = 0; d < n; d++) {
        src += idx[d] * inStrides[perm[d]];
      }
      r[i] = v[src];
      for (int d = n - 1; d >= 0; d--) {
        if (++idx[d] < out[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return new Ref(out, r, dtype);
  }

  Ref slice(int axis, int start, int end) {
    int a = ax(axis);
    int outer = prod(shape, 0, a);
    int len = shape[a];
    int inner = prod(shape, a + 1, shape.length);
    int[] s = shape.clone();
    s[a] = end - start;
    double[] r = new double[outer * s[a] * inner];
    int k = 0;
    for (int o = 0; o < outer; o++) {
      for (int j = start; j < end; j++) {
        for (int i = 0; i < inner; i++) {
          r[k++] = v[(o * len + j) * inner + i];
        }
      }
    }
    return new Ref(s, r, dtype);
  }

  static Ref concat(List<Ref> xs, int axis) {
    Ref first = xs.get(0);
    int a = first.ax(axis);
    int outer = prod(first.shape, 0, a);
    int inner = prod(first.shape, a + 1, first.shape.length);
    int[] s = first.shape.clone();
    s[a] = xs.stream().mapToInt(x -> x.shape[a]).sum();
    double[] r = new double[size(s)];
    int k = 0;
    for (int o = 0; o < outer; o++) {
      for (Ref x : xs) {
        int chunk = x.shape[a] * inner;
        System.arraycopy(x.v, o * chunk, r, k, chunk);
        k += chunk;
      }
    }
    return new Ref(s, r, first.dtype);
  }

  // ---- reductions -------------------------------------------------------------------------------

  Ref reduce(int axis, boolean keepDims, DoubleBinaryOperator op, double init) {
    int a = ax(axis);
    int outer = prod(shape, 0, a);
    int len = shape[a];
    int inner = prod(shape, a + 1, shape.length);
    double[] r = new double[outer * inner];
    for (int o = 0; o < outer; o++) {
      for (int i = 0; i < inner; i++) {
        double acc = init;
        for (int j = 0; j < len; j++) {
          acc = op.applyAsDouble(acc, v[(o * len + j) * inner + i]);
        }
        r[o * inner + i] = acc;
      }
    }
    int[] s;
    if (keepDims) {
      s = shape.clone();
      s[a] = 1;
    } else {
      s = new int[shape.length - 1];
      for (int i = 0, k = 0; i < shape.length; i++) {
        if (i != a) {
          s[k++] = shape[i];
        }
      }
    }
    return new Ref(s, r);
  }

  Ref sum(int axis, boolean keepDims) {
    return reduce(axis, keepDims, Double::sum, 0);
  }

  Ref mean(int axis, boolean keepDims) {
    int len = shape[ax(axis)];
    return sum(axis, keepDims).map(x -> x / len);
  }

  Ref max(int axis, boolean keepDims) {
    return reduce(axis, keepDims, Math::max, Double.NEGATIVE_INFINITY);
  }

  Ref sumAll() {
    return new Ref(new int[0], new double[] {Arrays.stream(v).sum()});
  }

  Ref logSoftmax(int axis) {
    Ref lse = logSumExp(axis);
    return zip(this, lse, (x, l) -> x - l);
  }

  Ref softmax(int axis) {
    return logSoftmax(axis).map(Math::exp);
  }

  private Ref logSumExp(int axis) {
    Ref m = max(axis, true);
    Ref e = zip(this, m, (x, mx) -> Math.exp(x - mx)).sum(axis, true);
    return zip(e, m, (s, mx) -> Math.log(s) + mx);
  }

  Ref layerNorm(Ref gamma, Ref beta, double eps) {
    Ref mu = mean(-1, true);
    Ref c = zip(this, mu, (x, m) -> x - m);
    Ref var = c.map(x -> x * x).mean(-1, true);
    Ref n = zip(c, var, (x, s) -> x / Math.sqrt(s + eps));
    return zip(zip(n, gamma, (x, g) -> x * g), beta, Double::sum);
  }

  Ref rmsNorm(Ref weight, double eps) {
    Ref ms = map(x -> x * x).mean(-1, true);
    Ref n = zip(this, ms, (x, m) -> x / Math.sqrt(m + eps));
    return zip(n, weight, (x, g) -> x * g);
  }

  /** {@code concat(-x[d/2:], x[:d/2])} over the last axis, written element by element. */
  Ref rotateHalf() {
    int d = shape[shape.length - 1];
    double[] r = new double[v.length];
    for (int row = 0; row < v.length; row += d) {
      for (int i = 0; i < d; i++) {
        r[row + i] = i < d / 2 ? -v[row + i + d / 2] : v[row + i - d / 2];
      }
    }
    return new Ref(shape, r, dtype);
  }

  // ---- linear algebra and indexing --------------------------------------------------------------

  Ref matmul(Ref b) {
    int n = shape[rank() - 2];
    int k = shape[rank() - 1];
    int m = b.shape[b.rank() - 1];
    if (b.shape[b.rank() - 2] != k) {
      throw new IllegalArgumentException("inner dimensions differ");
    }
    int[] batch =
        broadcastShape(Arrays.copyOf(shape, rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
    Ref x = broadcastTo(concatDims(batch, n, k));
    Ref y = b.broadcastTo(concatDims(batch, k, m));
    int nb = size(batch);
    double[] r = new double[nb * n * m];
    for (int q = 0; q < nb; q++) {
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < m; j++) {
          double acc = 0;
          for (int t = 0; t < k; t++) {
            acc += x.v[(q * n + i) * k + t] * y.v[(q * k + t) * m + j];
          }
          r[(q * n + i) * m + j] = acc;
        }
      }
    }
    return new Ref(concatDims(batch, n, m), r);
  }

  private static int[] concatDims(int[] head, int... tail) {
    int[] out = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  static Ref embedding(Ref table, Ref ids) {
    int d = table.shape[1];
    double[] r = new double[ids.v.length * d];
    for (int i = 0; i < ids.v.length; i++) {
      System.arraycopy(table.v, (int) ids.v[i] * d, r, i * d, d);
    }
    return new Ref(concatDims(ids.shape, d), r);
  }

  Ref takeAlongLastAxis(Ref index) {
    int len = shape[rank() - 1];
    double[] r = new double[index.v.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = v[i * len + (int) index.v[i]];
    }
    return new Ref(index.shape, r);
  }

  static Ref where(Ref mask, Ref a, Ref b) {
    int[] s = broadcastShape(broadcastShape(mask.shape, a.shape), b.shape);
    Ref m = mask.broadcastTo(s);
    Ref x = a.broadcastTo(s);
    Ref y = b.broadcastTo(s);
    double[] r = new double[x.v.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = m.v[i] != 0 ? x.v[i] : y.v[i];
    }
    return new Ref(s, r);
  }

  /** A float copy, for host tensors. */
  HostTensor toHost() {
    if (dtype == DType.INT32) {
      int[] n = new int[v.length];
      for (int i = 0; i < n.length; i++) {
        n[i] = (int) v[i];
      }
      return HostTensor.ofInts(n, shape);
    }
    float[] f = new float[v.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) v[i];
    }
    return HostTensor.of(f, shape);
  }

  Ref withType(DType t) {
    return new Ref(shape, v, t);
  }

  @Override
  public String toString() {
    return "Ref"
        + Arrays.toString(shape)
        + " "
        + dtype
        + " "
        + Arrays.toString(Arrays.copyOf(v, Math.min(v.length, 8)));
  }
}
