package dev.tandem.engine.tensorflow;

import dev.tandem.api.tensor.Shape;
import java.util.Arrays;

/** Static shape arithmetic for tracing, with errors that name the op and the shapes. */
final class ShapeRules {
  private ShapeRules() {}

  /** NumPy broadcasting of two shapes. */
  static Shape broadcast(String op, Shape a, Shape b) {
    int r = Math.max(a.rank(), b.rank());
    int[] out = new int[r];
    for (int i = 0; i < r; i++) {
      int da = i < r - a.rank() ? 1 : a.dim(i - (r - a.rank()));
      int db = i < r - b.rank() ? 1 : b.dim(i - (r - b.rank()));
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " do not broadcast");
      }
      out[i] = da == 1 ? db : da;
    }
    return Shape.of(out);
  }

  /** A non-negative axis for a tensor of rank {@code rank}. */
  static int axis(String op, int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for rank " + rank);
    }
    return a;
  }

  /** The target of a reshape, with one {@code -1} resolved. */
  static Shape reshape(Shape from, int[] to) {
    int unknown = -1;
    long known = 1;
    for (int i = 0; i < to.length; i++) {
      if (to[i] == -1) {
        if (unknown >= 0) {
          throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(to));
        }
        unknown = i;
      } else if (to[i] < 0) {
        throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(to));
      } else {
        known *= to[i];
      }
    }
    int[] dims = to.clone();
    if (unknown >= 0) {
      if (known == 0 || from.size() % known != 0) {
        throw new IllegalArgumentException("reshape: cannot reshape " + from + " to " + Arrays.toString(to));
      }
      dims[unknown] = (int) (from.size() / known);
    }
    Shape s = Shape.of(dims);
    if (s.size() != from.size()) {
      throw new IllegalArgumentException("reshape: cannot reshape " + from + " to " + Arrays.toString(to));
    }
    return s;
  }

  /** A normalised permutation of {@code rank} axes. */
  static int[] permutation(int[] perm, int rank) {
    if (perm.length != rank) {
      throw new IllegalArgumentException(
          "transpose: permutation " + Arrays.toString(perm) + " for a tensor of rank " + rank);
    }
    int[] p = new int[rank];
    boolean[] seen = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      p[i] = axis("transpose", perm[i], rank);
      if (seen[p[i]]) {
        throw new IllegalArgumentException("transpose: " + Arrays.toString(perm) + " is not a permutation");
      }
      seen[p[i]] = true;
    }
    return p;
  }

  static Shape permute(Shape s, int[] perm) {
    int[] d = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      d[i] = s.dim(perm[i]);
    }
    return Shape.of(d);
  }

  /** The shape after reducing {@code axis}. */
  static Shape reduce(Shape s, int axis, boolean keepDims) {
    int[] d = s.dims();
    if (keepDims) {
      d[axis] = 1;
      return Shape.of(d);
    }
    int[] out = new int[d.length - 1];
    for (int i = 0, j = 0; i < d.length; i++) {
      if (i != axis) {
        out[j++] = d[i];
      }
    }
    return Shape.of(out);
  }

  static Shape withDim(Shape s, int axis, int value) {
    int[] d = s.dims();
    d[axis] = value;
    return Shape.of(d);
  }

  /** {@code a} followed by {@code b}. */
  static Shape concat(Shape a, int... b) {
    int[] d = Arrays.copyOf(a.dims(), a.rank() + b.length);
    System.arraycopy(b, 0, d, a.rank(), b.length);
    return Shape.of(d);
  }

  /** The leading {@code n} dimensions. */
  static Shape head(Shape s, int n) {
    return Shape.of(Arrays.copyOf(s.dims(), n));
  }
}
