package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.optim.UpdateRule;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;

/**
 * The traced graph of one train step for one input signature.
 *
 * <p>Built as: placeholders for the inputs, the loss function, {@code Graph.addGradients} of the
 * loss with respect to this trace's reads of the trainable variables, then {@link
 * UpdateRule#apply} over reads of the parameters and optimizer state made after every gradient
 * exists (a {@code NoOp}, {@code gradients_done}; else TensorFlow computes what needs no gradient
 * early and holds it through the backward pass). A barrier ({@code NoOp})
 * waits for the loss, the metrics, the gradient norm and every variable read; the assign ops run
 * after it, so a step always computes with the values from before its update.
 *
 * @param inputs placeholders of the loss function's inputs
 * @param learningRate scalar placeholder
 * @param step scalar placeholder: the 1-based number of this update
 * @param loss the scalar loss
 * @param metrics scalar metrics by name
 * @param gradNorm the global gradient norm before clipping
 * @param update the target that applies all assigns
 */
record StepGraph(
    List<Output<?>> inputs,
    Output<?> learningRate,
    Output<?> step,
    Output<?> loss,
    Map<String, Output<?>> metrics,
    Output<?> gradNorm,
    Operation update) {

  static StepGraph trace(
      TfEngine engine,
      TfParameters params,
      LossFunction lossFn,
      Optimizer optimizer,
      TrainStepOptions options,
      Map<String, Map<String, TfVariable>> state,
      Signature sig) {
    Trace t = engine.beginTrace("step");
    try {
      TfOps ops = t.ops();
      List<TfNode> in = sig.placeholders(t);
      LossOutput out = lossFn.apply(ops, params, List.copyOf(in));
      TfNode loss = t.of(out.loss());
      if (loss.dtype() != DType.FLOAT32) {
        throw new IllegalArgumentException("the loss must be FLOAT32, not " + loss.dtype());
      }
      Map<String, Output<?>> metrics = new LinkedHashMap<>();
      out.metrics().forEach((name, m) -> metrics.put(name, metric(t, name, m)));

      List<String> names = new ArrayList<>(params.trainable());
      Map<String, Tensor> values = new LinkedHashMap<>();
      for (String n : names) {
        values.put(n, t.read(params.variable(n)));
      }
      Map<String, Tensor> grads = gradients(engine, t, loss, names, values);
      // the update reads the parameters and the optimizer state again, once every gradient exists:
      // else TensorFlow computes what needs no gradient (beta1 * m, beta2 * v, the weight decay)
      // as soon as it can, and holds it for every parameter through the backward pass (8-12 bytes a
      // parameter on top of the peak)
      OperationBuilder gradientsDone = t.scope().opBuilder("NoOp", "gradients_done");
      gradientsDone.addControlInput(loss.output().op());
      grads.values().forEach(g -> gradientsDone.addControlInput(((TfNode) g).output().op()));
      Operation afterGradients = gradientsDone.build();
      Map<String, Tensor> current = new LinkedHashMap<>();
      for (String n : names) {
        current.put(n, t.readAfter(params.variable(n), afterGradients));
      }
      Map<String, Map<String, Tensor>> st = new LinkedHashMap<>();
      state.forEach((p, vars) -> {
        Map<String, Tensor> s = new LinkedHashMap<>();
        vars.forEach((sn, v) -> s.put(sn, t.readAfter(v, afterGradients)));
        st.put(p, s);
      });
      for (String n : names) {
        st.computeIfAbsent(n, k -> new LinkedHashMap<>());
      }
      TfNode lr = t.placeholder(Shape.scalar(), DType.FLOAT32);
      TfNode step = t.placeholder(Shape.scalar(), DType.FLOAT32);
      UpdateRule.Result r =
          UpdateRule.apply(ops, optimizer, current, grads, st, lr, step, options.maxGradNorm());
      TfNode gradNorm = t.of(r.gradNorm());

      // everything that reads the old values runs before any assign
      OperationBuilder barrier = t.scope().opBuilder("NoOp", "before_update");
      barrier.addControlInput(loss.output().op()).addControlInput(gradNorm.output().op());
      metrics.values().forEach(m -> barrier.addControlInput(m.op()));
      t.readNodes().forEach(n -> barrier.addControlInput(n.output().op()));
      t.lateReads().forEach(n -> barrier.addControlInput(n.output().op()));
      Operation ready = barrier.build();

      List<Operation> assigns = new ArrayList<>();
      for (String n : names) {
        assigns.add(assign(t, ready, params.variable(n), r.params().get(n)));
        Map<String, TfVariable> vars = state.getOrDefault(n, Map.of());
        for (Map.Entry<String, TfVariable> e : vars.entrySet()) {
          assigns.add(assign(t, ready, e.getValue(), r.state().get(n).get(e.getKey())));
        }
      }
      OperationBuilder group = t.scope().opBuilder("NoOp", "update");
      group.addControlInput(ready);
      assigns.forEach(group::addControlInput);
      List<Output<?>> inputs = in.stream().<Output<?>>map(TfNode::output).toList();
      return new StepGraph(inputs, lr.output(), step.output(), loss.output(), metrics, gradNorm.output(),
          group.build());
    } finally {
      engine.endTrace(t);
    }
  }

  /** A metric as a FLOAT32 scalar output. */
  private static Output<?> metric(Trace t, String name, Tensor m) {
    TfNode n = t.of(m);
    if (n.shape().size() != 1) {
      throw new IllegalArgumentException("metric '" + name + "' must be a scalar, not " + n.shape());
    }
    Tensor s = n.shape().rank() == 0 ? n : t.ops().reshape(n);
    return t.of(t.ops().cast(s, DType.FLOAT32)).output();
  }

  /** Gradients of the loss for each trainable read; zeros where the loss does not depend on one. */
  private static Map<String, Tensor> gradients(
      TfEngine engine, Trace t, TfNode loss, List<String> names, Map<String, Tensor> values) {
    Map<String, Tensor> grads = new LinkedHashMap<>();
    if (names.isEmpty()) {
      return grads;
    }
    Output<?>[] xs = names.stream().map(n -> ((TfNode) values.get(n)).output()).toArray(Output<?>[]::new);
    Output<?>[] dx = engine.graph().addGradients(loss.output(), xs);
    for (int i = 0; i < names.size(); i++) {
      Shape shape = values.get(names.get(i)).shape();
      grads.put(names.get(i), dx[i] == null
          ? t.constant(HostTensor.zeros(shape.dims()))
          : new TfNode(t, dx[i], shape, DType.FLOAT32));
    }
    return grads;
  }

  private static Operation assign(Trace t, Operation ready, TfVariable v, Tensor value) {
    TfNode n = t.of(value);
    if (!n.shape().equals(v.shape) || n.dtype() != v.dtype) {
      throw new IllegalStateException(
          "the optimizer produced " + n.dtype() + n.shape() + " for '" + v.name + "', which is "
              + v.dtype + v.shape);
    }
    return t.scope().opBuilder("AssignVariableOp", "assign")
        .addInput(v.handle).addInput(n.output())
        .setAttr("dtype", Conversions.dataType(v.dtype))
        .addControlInput(ready)
        .build();
  }
}
