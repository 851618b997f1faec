package dev.tandem.api.engine;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;

/**
 * A pure function over tensors: reads parameters through {@code params}, computes with {@code ops}.
 * An engine may run it eagerly on every call or trace it once per list of input shapes, so it must
 * not read tensor values, keep state between calls, or branch on anything but shapes and
 * configuration.
 */
@FunctionalInterface
public interface TensorFunction {
  List<Tensor> apply(TensorOps ops, Parameters params, List<Tensor> inputs);
}
