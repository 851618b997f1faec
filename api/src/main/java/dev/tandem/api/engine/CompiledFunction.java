package dev.tandem.api.engine;

import dev.tandem.api.tensor.Tensor;
import java.util.List;

/** A {@link TensorFunction} ready to run on an engine. */
public interface CompiledFunction extends AutoCloseable {
  /**
   * Runs the function. Inputs are tensors of the same engine (from {@link Engine#upload} or an
   * earlier call), left open. The outputs are device tensors owned by the caller, who closes them;
   * each is a new tensor, even where the function returns an input or a parameter, so closing it
   * affects nothing else.
   */
  List<Tensor> call(List<Tensor> inputs);

  /** Number of distinct traces so far (0 for eager engines): stays constant for fixed shapes. */
  default int traceCount() {
    return 0;
  }

  @Override
  default void close() {}
}
