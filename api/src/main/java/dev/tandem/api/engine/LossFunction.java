package dev.tandem.api.engine;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;

/**
 * A scalar training loss over a batch, with named scalar metrics. Same rules as {@link
 * TensorFunction}: pure, no reading of values.
 */
@FunctionalInterface
public interface LossFunction {
  LossOutput apply(TensorOps ops, Parameters params, List<Tensor> inputs);
}
