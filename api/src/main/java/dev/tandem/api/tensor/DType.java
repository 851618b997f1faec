package dev.tandem.api.tensor;

/** Element types that cross the engine boundary. Masks are {@link #FLOAT32} zeros and ones. */
public enum DType {
  /** 32-bit IEEE float: activations, parameters, masks. */
  FLOAT32,
  /** 32-bit signed integer: token ids, positions, gather indices. */
  INT32
}
