package dev.tandem.api.tensor;

/**
 * An opaque tensor owned by an engine. Inside a {@link dev.tandem.api.engine.TensorFunction} it may be
 * symbolic (a node of a traced graph), so code written over {@link TensorOps} must never read its
 * values; only its shape and type. Outside a function, tensors returned by an engine are device
 * values: read them with {@link dev.tandem.api.engine.Engine#download(Tensor)} and close them when
 * done.
 */
public interface Tensor extends AutoCloseable {
  /** The static shape. */
  Shape shape();

  /** The element type. */
  DType dtype();

  /**
   * Releases the memory of a device value; a no-op for tensors created inside a function. Closing
   * twice is harmless.
   */
  @Override
  default void close() {}
}
