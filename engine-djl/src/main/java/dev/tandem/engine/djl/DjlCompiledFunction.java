package dev.tandem.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.TensorFunction;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * An eagerly executed {@link TensorFunction}: each call runs in a child manager that is closed on
 * return, after the outputs have moved to the caller's manager. An output that is not a fresh
 * result of the call (an input, a parameter, or a repeated output) is copied, so that closing it
 * never releases something else.
 */
final class DjlCompiledFunction implements CompiledFunction {
  private final DjlEngine engine;
  private final DjlParameters params;
  private final TensorFunction function;

  DjlCompiledFunction(DjlEngine engine, DjlParameters params, TensorFunction function) {
    this.engine = engine;
    this.params = params;
    this.function = function;
  }

  @Override
  public List<Tensor> call(List<Tensor> inputs) {
    engine.checkOpen();
    JniUtils.setGradMode(false);
    try (NDManager scope = engine.root().newSubManager()) {
      DjlOps ops = new DjlOps(engine, scope, false);
      for (Tensor t : inputs) {
        ops.nd(t); // fails fast on foreign tensors
      }
      List<Tensor> outs = function.apply(ops, params, List.copyOf(inputs));
      return export(engine, ops, scope, outs);
    }
  }

  /** Moves function outputs out of {@code scope} into the engine's user manager. */
  static List<Tensor> export(DjlEngine engine, DjlOps ops, NDManager scope, List<Tensor> outs) {
    Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Tensor> result = new ArrayList<>(outs.size());
    for (Tensor t : outs) {
      NDArray a = ops.nd(t);
      NDArray out = a.getManager() == scope && seen.add(a) ? a : a.duplicate();
      out.attach(engine.user());
      result.add(new DjlTensor(engine, out, true));
    }
    return result;
  }
}
