package dev.tandem.api.adapter;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Set;

/**
 * A base model's parameters as an adapted model sees them inside a traced or eager function: a
 * projection through an adapted weight ({@link #linear}) adds {@code scale * (x A^T) B^T}; reading an
 * adapted weight itself ({@link #get}) gives {@code W + scale * B A} (or its transpose for {@code
 * [in, out]} weights); every other name reads as it is. Gradients flow to {@code A} and {@code B} through the ops; the frozen
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

  /**
   * {@code x W^T + s (x A^T) B^T} (or {@code x W + ...} for {@code [in, out]} weights): the adapter
   * acts on the activations, so the backward pass forms gradients for {@code A} and {@code B} and for
   * {@code x}, never the frozen weight's.
   */
  @Override
  public Tensor linear(TensorOps o, String weight, Tensor x, boolean inputMajor) {
    LoraAdapter.Target t = adapter.targets().get(weight);
    Tensor base = p.linear(o, weight, x, inputMajor);
    if (t == null) {
      return base;
    }
    Tensor down = o.matmul(x, o.transpose(p.get(t.a()), 1, 0));
    Tensor up = o.matmul(down, o.transpose(p.get(t.b()), 1, 0));
    return o.add(base, o.mul(up, adapter.config().scale()));
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
