package dev.tandem.engine.tensorflow;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import org.tensorflow.RawTensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Copies between {@link HostTensor}s and TensorFlow tensors; maps shapes and types. */
final class Conversions {
  private Conversions() {}

  /** A new native tensor holding a copy of {@code h}; the caller closes it. */
  static org.tensorflow.Tensor toTf(HostTensor h) {
    org.tensorflow.ndarray.Shape s = tfShape(h.shape());
    return h.dtype() == DType.FLOAT32
        ? TFloat32.tensorOf(s, DataBuffers.of(h.floats(), true, false))
        : TInt32.tensorOf(s, DataBuffers.of(h.ints(), true, false));
  }

  /** A host copy of a native tensor. */
  static HostTensor toHost(org.tensorflow.Tensor t) {
    RawTensor raw = t.asRawTensor();
    Shape shape = shape(raw.shape());
    int n = shape.size();
    switch (raw.dataType()) {
      case DT_FLOAT -> {
        float[] f = new float[n];
        if (n > 0) {
          raw.data().asFloats().read(f);
        }
        return HostTensor.of(f, shape.dims());
      }
      case DT_INT32 -> {
        int[] i = new int[n];
        if (n > 0) {
          raw.data().asInts().read(i);
        }
        return HostTensor.ofInts(i, shape.dims());
      }
      default -> throw new IllegalStateException("unsupported tensor type " + raw.dataType());
    }
  }

  static org.tensorflow.ndarray.Shape tfShape(Shape s) {
    int[] d = s.dims();
    long[] l = new long[d.length];
    for (int i = 0; i < d.length; i++) {
      l[i] = d[i];
    }
    return org.tensorflow.ndarray.Shape.of(l);
  }

  static Shape shape(org.tensorflow.ndarray.Shape s) {
    int[] d = new int[s.numDimensions()];
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.toIntExact(s.get(i));
    }
    return Shape.of(d);
  }

  static DataType dataType(DType t) {
    return t == DType.FLOAT32 ? DataType.DT_FLOAT : DataType.DT_INT32;
  }

  static DType dtype(DataType t) {
    return switch (t) {
      case DT_FLOAT -> DType.FLOAT32;
      case DT_INT32 -> DType.INT32;
      default -> throw new IllegalStateException("unsupported tensor type " + t);
    };
  }
}
