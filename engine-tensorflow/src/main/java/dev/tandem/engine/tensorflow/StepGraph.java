package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.optim.UpdateRule;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;

/**
 * The traced graph of one train step for one input signature.
 *
 * <p>Built as: placeholders for the inputs, the loss function, {@code Graph.addGradients} of the
 * loss with respect to this trace's reads of the trainable variables the loss is computed from
 * (zeros for the others), the gradient norm ({@link
 * UpdateRule#clip}), then {@link UpdateRule#update} for group after group of parameters (of at
 * least {@link #GROUP_ELEMENTS} values): a group reads its values and optimizer state after the
 * previous group's assigns (the first after a barrier, a {@code NoOp} that waits for the loss, the
 * metrics and the norm), and so does its use of the gradients; each assign waits for every read of
 * its variable, so a step always computes with the values from before its update. The update holds
 * one group's temporaries at a time; left to itself TensorFlow computes what needs no gradient
 * early ({@code beta1 * m}, {@code beta2 * v}) and every new value before the first assign.
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

  /** The fewest parameter values updated side by side before the next parameters are read. */
  static final long GROUP_ELEMENTS = 1L << 20;

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
      UpdateRule.Clip clip = UpdateRule.clip(ops, grads.values(), options.maxGradNorm());
      TfNode gradNorm = t.of(clip.norm());
      TfNode lr = t.placeholder(Shape.scalar(), DType.FLOAT32);
      TfNode step = t.placeholder(Shape.scalar(), DType.FLOAT32);

      // the update starts once the loss, the metrics and the gradient norm (so every gradient) exist
      OperationBuilder barrier = t.scope().opBuilder("NoOp", "before_update");
      barrier.addControlInput(loss.output().op()).addControlInput(gradNorm.output().op());
      metrics.values().forEach(m -> barrier.addControlInput(m.op()));
      Operation ready = barrier.build();

      // Group after group of parameters (in order; each group at least GROUP_ELEMENTS values but
      // the last): a group reads its values, state and gradients once the previous group is
      // assigned, and each assign waits for every read of its variable (so a step computes with the
      // values from before its update). TensorFlow would otherwise compute what it can as early as
      // it can (beta1 * m, beta2 * v during the backward pass, (1 - beta1) g and g^2 once the norm
      // exists, then every new value before the first assign): 8-16 bytes a parameter on top of
      // the peak. Groups rather than single parameters, so that small ones (norms, biases) still
      // update side by side.
      List<Operation> assigns = new ArrayList<>();
      List<Operation> pending = new ArrayList<>();
      long grouped = 0;
      Operation previous = ready;
      for (int i = 0; i < names.size(); i++) {
        String n = names.get(i);
        TfVariable pv = params.variable(n);
        Operation after = previous;
        TfNode current = t.readAfter(pv, after);
        Map<String, TfVariable> vars = state.getOrDefault(n, Map.of());
        Map<String, Tensor> stateReads = new LinkedHashMap<>();
        vars.forEach((sn, v) -> stateReads.put(sn, t.readAfter(v, after)));
        Map<String, Tensor> next =
            UpdateRule.update(ops, optimizer, n, current, gated(t, grads.get(n), after), clip, stateReads, lr, step);
        pending.add(assign(t, ready, pv, next.get("param"), readsOf(t, pv, current)));
        for (Map.Entry<String, TfVariable> e : vars.entrySet()) {
          pending.add(assign(t, ready, e.getValue(), next.get(e.getKey()),
              readsOf(t, e.getValue(), (TfNode) stateReads.get(e.getKey()))));
        }
        grouped += pv.shape.size();
        if (grouped >= GROUP_ELEMENTS && i < names.size() - 1) {
          OperationBuilder done = t.scope().opBuilder("NoOp", "updated");
          pending.forEach(done::addControlInput);
          previous = done.build();
          assigns.addAll(pending);
          pending.clear();
          grouped = 0;
        }
      }
      assigns.addAll(pending);
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

  /**
   * Gradients of the loss for each trainable read; zeros where the loss does not depend on one: a
   * read the loss is not computed from (TensorFlow refuses to differentiate towards those, so they
   * are left out of the request) or one whose every path has no gradient (a cast to integers).
   */
  private static Map<String, Tensor> gradients(
      TfEngine engine, Trace t, TfNode loss, List<String> names, Map<String, Tensor> values) {
    Set<GraphOperation> from = ancestors(loss.output());
    List<String> reached = new ArrayList<>();
    List<Output<?>> xs = new ArrayList<>();
    for (String n : names) {
      Output<?> read = ((TfNode) values.get(n)).output();
      if (from.contains((GraphOperation) read.op())) {
        reached.add(n);
        xs.add(read);
      }
    }
    Output<?>[] dx = xs.isEmpty() ? new Output<?>[0] : engine.graph().addGradients(loss.output(), xs.toArray(Output<?>[]::new));
    Map<String, Output<?>> byName = new HashMap<>();
    for (int i = 0; i < reached.size(); i++) {
      if (dx[i] != null && !isNull(dx[i])) {
        byName.put(reached.get(i), dx[i]);
      }
    }
    Map<String, Tensor> grads = new LinkedHashMap<>();
    for (String n : names) {
      Shape shape = values.get(n).shape();
      Output<?> g = byName.get(n);
      grads.put(n, g == null ? t.zeros(shape) : new TfNode(t, g, shape, DType.FLOAT32));
    }
    return grads;
  }

  /** Whether TensorFlow Java wrapped a missing gradient (a null native operation) in an {@code Output}. */
  private static boolean isNull(Output<?> o) {
    var handle = ((GraphOperation) o.op()).getUnsafeNativeHandle();
    return handle == null || handle.isNull();
  }

  /** The ops {@code out} is computed from through data inputs (control inputs carry no gradient). */
  private static Set<GraphOperation> ancestors(Output<?> out) {
    Set<GraphOperation> seen = new HashSet<>();
    Deque<GraphOperation> todo = new ArrayDeque<>();
    todo.push((GraphOperation) out.op());
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (seen.add(op)) {
        for (int i = 0; i < op.numInputs(); i++) {
          todo.push((GraphOperation) op.input(i).op());
        }
      }
    }
    return seen;
  }

  /** {@code grad} passed on (no copy) only after {@code after}, so that what is computed from it waits too. */
  private static Tensor gated(Trace t, Tensor grad, Operation after) {
    if (grad == null) {
      return null; // UpdateRule.update names the parameter
    }
    TfNode g = (TfNode) grad;
    return t.nodeAfter(after, "Identity", g.shape(), g.dtype(), null, g.output());
  }

  /** The reads of {@code v} in this trace: the forward's (if any) and the update's late one. */
  private static List<TfNode> readsOf(Trace t, TfVariable v, TfNode late) {
    TfNode early = t.reads().get(v);
    return early == null ? List.of(late) : List.of(early, late);
  }

  private static Operation assign(Trace t, Operation ready, TfVariable v, Tensor value, List<TfNode> reads) {
    TfNode n = t.of(value);
    if (!n.shape().equals(v.shape) || n.dtype() != v.dtype) {
      throw new IllegalStateException(
          "the optimizer produced " + n.dtype() + n.shape() + " for '" + v.name + "', which is "
              + v.dtype + v.shape);
    }
    OperationBuilder b = t.scope().opBuilder("AssignVariableOp", "assign")
        .addInput(v.handle).addInput(n.output())
        .setAttr("dtype", Conversions.dataType(v.dtype))
        .addControlInput(ready);
    reads.forEach(r -> b.addControlInput(r.output().op()));
    return b.build();
  }
}
