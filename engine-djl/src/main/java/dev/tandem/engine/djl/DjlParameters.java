package dev.tandem.engine.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parameters as DJL arrays in a manager of their own. Trainable arrays require gradients. A value
 * is replaced in place ({@link NDArray#intern}): the Java array object, and so every tensor handed
 * out by {@link #get}, stays valid, while PyTorch gets a fresh leaf tensor without a stale
 * gradient.
 */
final class DjlParameters implements Parameters {
  private final DjlEngine engine;
  private final NDManager manager;
  private final Map<String, NDArray> arrays = new LinkedHashMap<>();
  private final Map<String, DjlTensor> views = new LinkedHashMap<>();
  private final List<String> names;
  private final Set<String> trainable;

  DjlParameters(DjlEngine engine, Map<String, HostTensor> values, Set<String> trainable) {
    for (String t : trainable) {
      if (!values.containsKey(t)) {
        throw new IllegalArgumentException(
            "trainable parameter '" + t + "' is not among the parameters " + values.keySet());
      }
    }
    this.engine = engine;
    this.manager = engine.root().newSubManager();
    this.manager.setName("tandem-djl-parameters");
    // one value at a time: the values may be read lazily from a model's files
    for (Map.Entry<String, HostTensor> e : values.entrySet()) {
      HostTensor v = e.getValue();
      if (trainable.contains(e.getKey()) && v.dtype() != DType.FLOAT32) {
        manager.close();
        throw new IllegalArgumentException("trainable parameter '" + e.getKey() + "' must be FLOAT32");
      }
      NDArray a = DjlEngine.create(manager, v);
      if (trainable.contains(e.getKey())) {
        a.setRequiresGradient(true);
      }
      arrays.put(e.getKey(), a);
      views.put(e.getKey(), new DjlTensor(engine, a, false));
    }
    this.names = List.copyOf(values.keySet());
    Set<String> tr = new LinkedHashSet<>();
    for (String n : names) {
      if (trainable.contains(n)) {
        tr.add(n);
      }
    }
    this.trainable = Collections.unmodifiableSet(tr);
  }

  DjlEngine engine() {
    return engine;
  }

  @Override
  public List<String> names() {
    return names;
  }

  @Override
  public Set<String> trainable() {
    return trainable;
  }

  @Override
  public Shape shape(String name) {
    return view(name).shape();
  }

  @Override
  public Tensor get(String name) {
    return view(name);
  }

  @Override
  public HostTensor read(String name) {
    engine.checkOpen();
    return DjlEngine.toHost(array(name));
  }

  @Override
  public void write(String name, HostTensor value) {
    engine.checkOpen();
    DjlTensor v = view(name);
    if (!v.shape().equals(value.shape()) || v.dtype() != value.dtype()) {
      throw new IllegalArgumentException(
          "parameter '"
              + name
              + "' is "
              + v.dtype()
              + v.shape()
              + ", cannot write a "
              + value.dtype()
              + value.shape()
              + " value");
    }
    replace(name, DjlEngine.createOwned(manager, value));
  }

  /** The live array of a parameter. */
  NDArray array(String name) {
    return view(name).array();
  }

  /** The parameters' manager, where new values must be created or attached. */
  NDManager manager() {
    return manager;
  }

  /**
   * Makes {@code value} the parameter's value: its native tensor moves into the parameter's array
   * and {@code value} is closed.
   */
  void replace(String name, NDArray value) {
    NDArray target = array(name);
    target.intern(value);
    if (trainable.contains(name)) {
      target.setRequiresGradient(true);
    }
  }

  /**
   * Drops the parameter's gradient, like PyTorch's {@code zero_grad(set_to_none=True)}: the value
   * moves to a fresh leaf tensor over the same storage (no copy), so the next backward pass writes
   * its gradient instead of adding it to a zeroed one (which cost a fill and an add over every
   * trainable weight per step, and kept the gradients resident through the forward pass). Unlike
   * PyTorch's optimizers, a parameter the next backward does not reach still gets a zero gradient
   * (DJL's {@code getGradient}), so AdamW still updates it as before. The new leaf comes from
   * {@code detach()}: PyTorch refuses metadata changes on it ({@code resize_}, {@code set_}), which
   * nothing here makes.
   */
  void dropGradient(String name) {
    ai.djl.pytorch.engine.PtNDArray a = (ai.djl.pytorch.engine.PtNDArray) array(name);
    ai.djl.pytorch.engine.PtNDArray fresh = ai.djl.pytorch.jni.JniUtils.detachGradient(a);
    ai.djl.pytorch.jni.JniUtils.attachGradient(fresh, true);
    a.intern(fresh);
  }

  private DjlTensor view(String name) {
    DjlTensor v = views.get(name);
    if (v == null) {
      throw new IllegalArgumentException("unknown parameter '" + name + "'");
    }
    return v;
  }
}
