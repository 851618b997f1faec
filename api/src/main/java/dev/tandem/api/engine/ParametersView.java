package dev.tandem.api.engine;

import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.List;
import java.util.Set;

/**
 * Parameters as a model sees them through an adapter inside a {@link TensorFunction}: everything
 * forwards to the underlying parameters; a subclass overrides {@link #get} (or {@link #linear}) for
 * the names it changes, e.g. a LoRA view that adds {@code s B A} to an adapted weight.
 */
public abstract class ParametersView implements Parameters {
  /** The underlying parameters. */
  protected final Parameters base;

  protected ParametersView(Parameters base) {
    this.base = base;
  }

  @Override
  public Tensor get(String name) {
    return base.get(name);
  }

  @Override
  public List<String> names() {
    return base.names();
  }

  @Override
  public Set<String> trainable() {
    return base.trainable();
  }

  @Override
  public Shape shape(String name) {
    return base.shape(name);
  }

  @Override
  public HostTensor read(String name) {
    return base.read(name);
  }

  @Override
  public void write(String name, HostTensor value) {
    base.write(name, value);
  }
}
