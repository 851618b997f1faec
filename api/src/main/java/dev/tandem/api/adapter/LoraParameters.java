package dev.tandem.api.adapter;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.ParametersView;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;

/**
 * A base model's parameters as an adapted model sees them inside a traced or eager function: a
 * projection through an adapted weight ({@link #linear}) adds {@code scale * (x A^T) B^T}; reading an
 * adapted weight itself ({@link #get}) gives {@code W + scale * B A} (or its transpose for {@code
 * [in, out]} weights); every other name reads as it is. Gradients flow to {@code A} and {@code B} through the ops; the frozen
 * {@code W} gets none. The model's code is unchanged: this is how one adapter serves every family.
 */
final class LoraParameters extends ParametersView {
  private final TensorOps ops;
  private final LoraAdapter adapter;

  LoraParameters(Parameters p, TensorOps ops, LoraAdapter adapter) {
    super(p);
    this.ops = ops;
    this.adapter = adapter;
  }

  @Override
  public Tensor get(String name) {
    LoraAdapter.Target t = adapter.targets().get(name);
    if (t == null) {
      return base.get(name);
    }
    Tensor delta = ops.mul(ops.matmul(base.get(t.b()), base.get(t.a())), adapter.config().scale());
    return ops.add(base.get(name), adapter.fanInFanOut() ? ops.transpose(delta, 1, 0) : delta);
  }

  /**
   * {@code x W^T + s (x A^T) B^T} (or {@code x W + ...} for {@code [in, out]} weights): the adapter
   * acts on the activations, so the backward pass forms gradients for {@code A} and {@code B} and for
   * {@code x}, never the frozen weight's.
   */
  @Override
  public Tensor linear(TensorOps o, String weight, Tensor x, boolean inputMajor) {
    LoraAdapter.Target t = adapter.targets().get(weight);
    Tensor y = base.linear(o, weight, x, inputMajor);
    if (t == null) {
      return y;
    }
    Tensor down = o.linear(x, base.get(t.a()));
    Tensor up = o.linear(down, base.get(t.b()));
    return o.add(y, o.mul(up, adapter.config().scale()));
  }
}
