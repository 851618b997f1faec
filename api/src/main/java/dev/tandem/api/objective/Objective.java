package dev.tandem.api.objective;

import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;

/**
 * A training objective: a scalar loss (and named metrics) of a model on one batch, written over
 * {@link TensorOps} so that it runs on every engine.
 *
 * <p>To add one, implement this interface in your own module, declare it with {@code provides
 * dev.tandem.api.objective.Objective with your.Impl;} in {@code module-info.java} (or list it in
 * {@code META-INF/services/dev.tandem.api.objective.Objective} on the class path), and select it by
 * {@link #name()}. The implementation needs a public no-argument constructor, must be stateless,
 * and must follow the rules of {@link dev.tandem.api.engine.TensorFunction}: never read tensor
 * values, branch only on shapes.
 */
public interface Objective {
  /** The name users select it by, e.g. {@code sft}; lower-case, unique. */
  String name();

  /** The layout of the batch tensors this objective consumes. */
  default InputLayout inputLayout() {
    return InputLayout.SEQUENCES;
  }

  /**
   * The loss of {@code model} with parameters {@code params} on one batch.
   *
   * @param batch the batch tensors, in the order {@link #inputLayout()} documents
   */
  LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch);
}
