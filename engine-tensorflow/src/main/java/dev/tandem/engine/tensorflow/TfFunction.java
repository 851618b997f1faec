package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TensorFunction;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * A function traced once per input {@link Signature}; each call is one {@code Session.run} that
 * feeds the inputs' native tensors and returns the fetched outputs as {@link TfValue}s.
 */
final class TfFunction implements CompiledFunction {
  private static final Logger LOG = LoggerFactory.getLogger(TfFunction.class);

  private final TfEngine engine;
  private final Parameters params;
  private final TensorFunction fn;
  private final Map<Signature, Traced> traces = new HashMap<>();

  private record Traced(Output<?>[] inputs, Output<?>[] outputs) {}

  TfFunction(TfEngine engine, Parameters params, TensorFunction fn) {
    this.engine = engine;
    this.params = params;
    this.fn = fn;
  }

  @Override
  public List<Tensor> call(List<Tensor> inputs) {
    engine.checkOpen();
    Traced tr = traces.get(Signature.ofTensors(inputs));
    if (tr == null) {
      Signature sig = Signature.ofTensors(inputs);
      long t0 = System.nanoTime();
      tr = trace(sig);
      traces.put(sig, tr);
      LOG.debug("traced a function for {} in {} ms ({} traces)", sig.shapes(), (System.nanoTime() - t0) / 1_000_000,
          traces.size());
    }
    if (tr.outputs.length == 0) {
      return List.of();
    }
    Session.Runner r = engine.session().runner();
    for (int i = 0; i < inputs.size(); i++) {
      r.feed(tr.inputs[i], engine.value(inputs.get(i)).tensor());
    }
    for (Output<?> o : tr.outputs) {
      r.fetch(o);
    }
    Result res = r.run(); // not closed: its tensors now belong to the returned values
    List<Tensor> out = new ArrayList<>(tr.outputs.length);
    for (int i = 0; i < tr.outputs.length; i++) {
      out.add(TfValue.wrap(engine, res.get(i)));
    }
    return out;
  }

  private Traced trace(Signature sig) {
    Trace t = engine.beginTrace("fn");
    try {
      List<TfNode> in = sig.placeholders(t);
      List<Tensor> result = fn.apply(t.ops(), params, List.copyOf(in));
      Output<?>[] ins = in.stream().map(TfNode::output).toArray(Output<?>[]::new);
      Output<?>[] outs = new Output<?>[result.size()];
      Set<Output<?>> seen = new HashSet<>();
      for (int i = 0; i < outs.length; i++) {
        Output<?> o = t.of(result.get(i)).output();
        // a repeated output or an input fetched as is gets its own node, so that every returned
        // value owns a distinct native tensor
        if (!seen.add(o) || "Placeholder".equals(o.op().type())) {
          o = t.op("Identity", null, o).output(0);
        }
        outs[i] = o;
      }
      return new Traced(ins, outs);
    } finally {
      engine.endTrace(t);
    }
  }

  @Override
  public int traceCount() {
    return traces.size();
  }

  @Override
  public void close() {
    traces.clear();
  }
}
