package dev.tandem.api.tensor;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor held in Java arrays, row-major: what goes into and comes out of an engine. Immutable by
 * convention: the arrays returned by {@link #floats()} and {@link #ints()} must not be modified.
 */
public final class HostTensor {
  private final Shape shape;
  private final DType dtype;
  private final float[] floats;
  private final int[] ints;

  private HostTensor(Shape shape, DType dtype, float[] floats, int[] ints) {
    this.shape = Objects.requireNonNull(shape, "shape");
    this.dtype = dtype;
    this.floats = floats;
    this.ints = ints;
    int n = floats != null ? floats.length : ints.length;
    if (n != shape.size()) {
      throw new IllegalArgumentException(
          "data has " + n + " elements but shape " + shape + " needs " + shape.size());
    }
  }

  /** A float tensor over {@code data} (not copied). */
  public static HostTensor of(float[] data, int... shape) {
    return new HostTensor(Shape.of(shape), DType.FLOAT32, data, null);
  }

  /** An int tensor over {@code data} (not copied). */
  public static HostTensor ofInts(int[] data, int... shape) {
    return new HostTensor(Shape.of(shape), DType.INT32, null, data);
  }

  /** A float scalar. */
  public static HostTensor scalar(float value) {
    return new HostTensor(Shape.scalar(), DType.FLOAT32, new float[] {value}, null);
  }

  /** A float tensor of zeros. */
  public static HostTensor zeros(int... shape) {
    return of(new float[Shape.of(shape).size()], shape);
  }

  public Shape shape() {
    return shape;
  }

  public DType dtype() {
    return dtype;
  }

  /** The float data; throws if this is an int tensor. */
  public float[] floats() {
    if (floats == null) {
      throw new IllegalStateException("tensor " + shape + " holds INT32, not FLOAT32");
    }
    return floats;
  }

  /** The int data; throws if this is a float tensor. */
  public int[] ints() {
    if (ints == null) {
      throw new IllegalStateException("tensor " + shape + " holds FLOAT32, not INT32");
    }
    return ints;
  }

  /** The value of a one-element tensor as a float. */
  public float item() {
    if (shape.size() != 1) {
      throw new IllegalStateException("item() of a tensor with shape " + shape);
    }
    return floats != null ? floats[0] : ints[0];
  }

  /** The same data under another shape with the same number of elements. */
  public HostTensor reshape(int... newShape) {
    return new HostTensor(Shape.of(newShape), dtype, floats, ints);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HostTensor h
        && shape.equals(h.shape)
        && dtype == h.dtype
        && Arrays.equals(floats, h.floats)
        && Arrays.equals(ints, h.ints);
  }

  @Override
  public int hashCode() {
    return 31 * shape.hashCode() + (floats != null ? Arrays.hashCode(floats) : Arrays.hashCode(ints));
  }

  @Override
  public String toString() {
    String data = floats != null ? Arrays.toString(head(floats)) : Arrays.toString(head(ints));
    return "HostTensor" + shape + " " + dtype + " " + data;
  }

  private static float[] head(float[] a) {
    return a.length <= 8 ? a : Arrays.copyOf(a, 8);
  }

  private static int[] head(int[] a) {
    return a.length <= 8 ? a : Arrays.copyOf(a, 8);
  }
}
