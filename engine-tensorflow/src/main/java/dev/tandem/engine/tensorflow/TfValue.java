package dev.tandem.engine.tensorflow;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.lang.ref.Cleaner;

/**
 * A device value: a TensorFlow tensor in native memory, owned by whoever received it. {@link
 * #close()} frees it at once (idempotent); a value that becomes unreachable without being closed is
 * freed by a {@link Cleaner}, as a safety net only.
 */
final class TfValue implements Tensor {
  private static final Cleaner CLEANER = Cleaner.create();

  private final TfEngine engine;
  private final Shape shape;
  private final DType dtype;
  private final Holder holder;
  private final Cleaner.Cleanable cleanable;

  TfValue(TfEngine engine, org.tensorflow.Tensor tensor, Shape shape, DType dtype) {
    this.engine = engine;
    this.shape = shape;
    this.dtype = dtype;
    this.holder = new Holder(tensor);
    this.cleanable = CLEANER.register(this, holder);
  }

  /** Wraps a tensor that TensorFlow returned, reading its shape and type. */
  static TfValue wrap(TfEngine engine, org.tensorflow.Tensor tensor) {
    return new TfValue(engine, tensor, Conversions.shape(tensor.shape()), Conversions.dtype(tensor.dataType()));
  }

  @Override
  public Shape shape() {
    return shape;
  }

  @Override
  public DType dtype() {
    return dtype;
  }

  TfEngine engine() {
    return engine;
  }

  /** The native tensor; throws once closed. */
  org.tensorflow.Tensor tensor() {
    org.tensorflow.Tensor t = holder.tensor;
    if (t == null) {
      throw new IllegalStateException("tensor " + shape + " " + dtype + " is closed");
    }
    return t;
  }

  @Override
  public void close() {
    cleanable.clean();
  }

  @Override
  public String toString() {
    return "TfValue" + shape + " " + dtype + (holder.tensor == null ? " (closed)" : "");
  }

  /** Owns the native tensor; run once, by close() or by the cleaner. */
  private static final class Holder implements Runnable {
    private volatile org.tensorflow.Tensor tensor;

    Holder(org.tensorflow.Tensor tensor) {
      this.tensor = tensor;
    }

    @Override
    public void run() {
      org.tensorflow.Tensor t = tensor;
      tensor = null;
      if (t != null) {
        t.close();
      }
    }
  }
}
