package dev.tandem.api.engine;

import dev.tandem.api.tensor.HostTensor;
import java.util.List;
import java.util.Map;

/**
 * Forward, backward and optimizer update as one call. Created by {@link Engine#trainStep}; the
 * engine keeps the optimizer state on the device.
 */
public interface TrainStep extends AutoCloseable {
  /**
   * Runs one step on a batch.
   *
   * @param inputs the loss function's inputs
   * @param learningRate the learning rate for this step (schedules live in the trainer)
   */
  StepResult run(List<HostTensor> inputs, float learningRate);

  /** Evaluates the loss and metrics without updating anything. */
  StepResult evaluate(List<HostTensor> inputs);

  /** Number of updates applied so far (restored by {@link #loadState}). */
  long updates();

  /**
   * The optimizer state for a checkpoint: entries {@code STATE/PARAM} (e.g. {@code m/wte.weight})
   * and {@code updates} (a scalar).
   */
  Map<String, HostTensor> state();

  /**
   * Restores {@link #state()} as saved by an engine of any kind ({@code updates} may be INT32 or
   * FLOAT32).
   *
   * @throws IllegalArgumentException if an entry is missing, unknown or of the wrong shape
   */
  void loadState(Map<String, HostTensor> state);

  /** Number of distinct traces so far (0 for eager engines). */
  default int traceCount() {
    return 0;
  }

  @Override
  default void close() {}
}
