package dev.tandem.api.engine;

import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Named device tensors of a model, each trainable or frozen. Created by {@link
 * Engine#createParameters}. Inside a {@link TensorFunction}, {@link #get} gives the parameter as a
 * tensor of the current call or trace.
 */
public interface Parameters {
  /** All names, in creation order. */
  List<String> names();

  /** Names that receive gradients. */
  Set<String> trainable();

  /** Shape of a parameter; throws {@link IllegalArgumentException} for an unknown name. */
  Shape shape(String name);

  /** The parameter as a tensor, for use inside a {@link TensorFunction} only. */
  Tensor get(String name);

  /**
   * A linear layer's output without its bias: {@code x W^T} for a weight stored {@code [out, in]}
   * ({@code nn.Linear}), or {@code x W} for one stored {@code [in, out]} ({@code inputMajor}, GPT-2's
   * Conv1D). Models call this for their projections instead of reading the weight, so that a view of
   * the parameters can act on the activations (a LoRA adapter adds {@code s (x A^T) B^T} without
   * forming a gradient for the frozen {@code W}). For use inside a {@link TensorFunction} only.
   */
  default Tensor linear(dev.tandem.api.tensor.TensorOps ops, String weight, Tensor x, boolean inputMajor) {
    Tensor w = get(weight);
    return inputMajor ? ops.matmul(x, w) : ops.linear(x, w);
  }

  /** Copies a parameter's current value to the host; unknown names throw as in {@link #shape}. */
  HostTensor read(String name);

  /**
   * Overwrites a parameter's value.
   *
   * @throws IllegalArgumentException for an unknown name, or a value of another shape or type (the
   *     message names the parameter and both shapes)
   */
  void write(String name, HostTensor value);

  /** Copies all current values to the host, in {@link #names()} order. */
  default Map<String, HostTensor> readAll() {
    return readAll(names());
  }

  /** Copies the current values of {@code names} to the host, in that order. */
  default Map<String, HostTensor> readAll(java.util.Collection<String> names) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    for (String n : names) {
      out.put(n, read(n));
    }
    return out;
  }

  /** Total number of elements over all parameters, or over the trainable ones. */
  default long count(boolean trainableOnly) {
    long n = 0;
    for (String name : names()) {
      if (!trainableOnly || trainable().contains(name)) {
        n += shape(name).size();
      }
    }
    return n;
  }
}
