package dev.tandem.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;

/**
 * A {@link Tensor} over a DJL {@link NDArray}. An <em>owned</em> tensor (uploaded, a function
 * output, an eager-ops result) releases its array on {@link #close()}; a tensor created inside a
 * function or train step belongs to that call's manager, and closing it is a no-op.
 */
final class DjlTensor implements Tensor {
  private final DjlEngine engine;
  private final NDArray array;
  private final boolean owned;
  private Shape shape;

  DjlTensor(DjlEngine engine, NDArray array, boolean owned) {
    this.engine = engine;
    this.array = array;
    this.owned = owned;
  }

  DjlEngine engine() {
    return engine;
  }

  NDArray array() {
    return array;
  }

  @Override
  public Shape shape() {
    if (shape == null) {
      shape = toShape(array.getShape());
    }
    return shape;
  }

  @Override
  public DType dtype() {
    return toDType(array.getDataType());
  }

  @Override
  public void close() {
    if (owned) {
      array.close();
    }
  }

  @Override
  public String toString() {
    return "DjlTensor" + shape() + " " + array.getDataType() + (owned ? "" : " (scoped)");
  }

  static Shape toShape(ai.djl.ndarray.types.Shape s) {
    int[] dims = new int[s.dimension()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = Math.toIntExact(s.get(i));
    }
    return Shape.of(dims);
  }

  static ai.djl.ndarray.types.Shape toDjl(int... dims) {
    long[] l = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      l[i] = dims[i];
    }
    return new ai.djl.ndarray.types.Shape(l);
  }

  static DType toDType(DataType t) {
    return switch (t) {
      case FLOAT32 -> DType.FLOAT32;
      case INT32 -> DType.INT32;
      default -> throw new IllegalStateException("DJL array of type " + t + " has no Tandem DType");
    };
  }

  static DataType toDataType(DType t) {
    return switch (t) {
      case FLOAT32 -> DataType.FLOAT32;
      case INT32 -> DataType.INT32;
    };
  }
}
