package dev.tandem.api.engine;

import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.Map;
import java.util.Set;

/**
 * A compute engine: implements {@link TensorOps}, gradients and execution, nothing else. Models and
 * objectives are {@link TensorFunction}s; the engine runs them eagerly or traces them once per
 * input-shape signature, and callers cannot tell the difference.
 *
 * <p>Threading: an engine is used from one thread at a time.
 */
public interface Engine extends AutoCloseable {
  /** The provider's name, e.g. {@code djl}. */
  String name();

  /** The device in use, e.g. {@code cpu} or {@code gpu:0}. */
  String device();

  /** Copies a host tensor to the device. The caller closes the result. */
  Tensor upload(HostTensor value);

  /** Copies a device tensor (one returned by this engine) to the host. */
  HostTensor download(Tensor value);

  /**
   * Creates device parameters from host values.
   *
   * @param values initial values by name, e.g. {@code h.0.attn.c_attn.weight}; iteration order is
   *     kept
   * @param trainable the names that receive gradients in a {@link TrainStep}; the rest are frozen
   * @throws IllegalArgumentException if {@code trainable} names a parameter not in {@code values}
   */
  Parameters createParameters(Map<String, HostTensor> values, Set<String> trainable);

  /** Compiles a function for repeated calls. Parameters are read through {@code params}. */
  CompiledFunction compile(Parameters params, TensorFunction function);

  /**
   * A training step: forward, backward over {@code params.trainable()}, optional global-norm
   * clipping and the optimizer update, as one call. The update is {@link
   * dev.tandem.api.optim.UpdateRule#apply}; an engine with fused kernels first offers them to the
   * optimizer ({@link Optimizer#applyFused}) and never inspects the optimizer's class.
   */
  TrainStep trainStep(
      Parameters params, LossFunction loss, Optimizer optimizer, TrainStepOptions options);

  /** The ops for eager use outside functions (tests, small utilities). Results must be closed. */
  TensorOps eagerOps();

  /**
   * Runs {@code work} under the engine's op profiler and returns where the time went, op by op; empty
   * when the engine has no profiler (the work still runs). For benchmarks: profiling slows the ops it
   * records.
   */
  default java.util.Optional<OpProfile> profile(Runnable work) {
    work.run();
    return java.util.Optional.empty();
  }

  /** Releases all device memory of this engine. */
  @Override
  void close();
}
