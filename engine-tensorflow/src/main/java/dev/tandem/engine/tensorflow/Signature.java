package dev.tandem.engine.tensorflow;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** The shapes and types of a call's inputs: one trace per distinct signature. */
record Signature(List<Shape> shapes, List<DType> dtypes) {
  static Signature ofTensors(List<? extends Tensor> inputs) {
    List<Shape> s = new ArrayList<>(inputs.size());
    List<DType> d = new ArrayList<>(inputs.size());
    for (Tensor t : inputs) {
      s.add(t.shape());
      d.add(t.dtype());
    }
    return new Signature(s, d);
  }

  static Signature ofHost(List<HostTensor> inputs) {
    List<Shape> s = new ArrayList<>(inputs.size());
    List<DType> d = new ArrayList<>(inputs.size());
    for (HostTensor t : inputs) {
      s.add(t.shape());
      d.add(t.dtype());
    }
    return new Signature(s, d);
  }

  /** Placeholders for these inputs in {@code trace}. */
  List<TfNode> placeholders(Trace trace) {
    List<TfNode> in = new ArrayList<>(shapes.size());
    for (int i = 0; i < shapes.size(); i++) {
      in.add(trace.placeholder(shapes.get(i), dtypes.get(i)));
    }
    return in;
  }
}
