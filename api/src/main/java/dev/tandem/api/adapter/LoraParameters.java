package dev.tandem.api.adapter;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Set;

/**
 * A base model's parameters as an adapted model sees them inside a traced or eager function: an
 * adapted weight reads as {@code W + scale * B A} (or its transpose for {@code [in, out]} weights),
 * every other name as it is. Gradients flow to {@code A} and {@code B} through the ops; the frozen
 * {@code W} gets none. The model's code is unchanged: this is how one adapter serves every family.
 */
final class LoraParameters implements Parameters {
  private final Parameters p;
  private final TensorOps ops;
  private final LoraAdapter adapter;

  LoraParameters(Parameters p, TensorOps ops, LoraAdapter adapter) {
    this.p = p;
    this.ops = ops;
    this.adapter = adapter;
  }

  @Override
  public Tensor get(String name) {
    LoraAdapter.Target t = adapter.targets().get(name);
    if (t == null) {
      return p.get(name);
    }
    Tensor delta = ops.mul(ops.matmul(p.get(t.b()), p.get(t.a())), adapter.config().scale());
    return ops.add(p.get(name), adapter.fanInFanOut() ? ops.transpose(delta, 1, 0) : delta);
  }

  @Override
  public List<String> names() {
    return p.names();
  }

  @Override
  public Set<String> trainable() {
    return p.trainable();
  }

  @Override
  public Shape shape(String name) {
    return p.shape(name);
  }

  @Override
  public HostTensor read(String name) {
    return p.read(name);
  }

  @Override
  public void write(String name, HostTensor value) {
    p.write(name, value);
  }
}
