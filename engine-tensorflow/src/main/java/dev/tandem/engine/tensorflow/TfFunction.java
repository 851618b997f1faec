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
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.OpScope;
import org.tensorflow.op.Scope;

/**
 * A function traced once per input {@link Signature}; each call is one {@code Session.run} that
 * feeds the inputs' native tensors and returns the fetched outputs as {@link TfValue}s.
 *
 * <p>On the CPU the function has a graph and a session of its own ({@link
 * TfEngine#detachFunctions}) and is fed the parameters' values, which the engine fetches once per
 * change of the variables: its first runs then cost time in proportion to its own graph, not to
 * everything the engine has ever traced.
 *
 * <p>XLA, when the engine has it on, is used lazily: compiling a trace costs several times more
 * than its first plain run (about 0.6 s against 0.15 s for a 4-layer GPT on a CPU) and saves only
 * some 15% of each later run, so a signature runs on TensorFlow's kernels for its first {@link
 * #XLA_AFTER_CALLS} calls and is traced again for XLA after them. A generation creates a few
 * signatures (one per batch size and prompt bucket) that each run a handful of times: they never
 * pay for a compilation. A count, not a timer, decides, so the same calls give the same values.
 */
final class TfFunction implements CompiledFunction {
  private static final Logger LOG = LoggerFactory.getLogger(TfFunction.class);

  /** Calls of one signature on TensorFlow's kernels before its trace is compiled with XLA. */
  static final int XLA_AFTER_CALLS = 64;

  private final TfEngine engine;
  private final Parameters params;
  private final TensorFunction fn;
  private final Map<Signature, Entry> traces = new HashMap<>();
  private Graph graph;
  private Session session;
  private Scope root;
  private int scopes;
  private int traceCount;

  /**
   * One trace: its input placeholders, the variables it reads (fed after the inputs in a
   * detached trace), and its outputs.
   */
  private record Traced(Output<?>[] inputs, List<TfVariable> variables, Output<?>[] variableFeeds, Output<?>[] outputs) {}

  /** The traces of one signature: the plain one first, the XLA one once it has been called enough. */
  private static final class Entry {
    Traced current;
    boolean compiled;
    int calls;
  }

  TfFunction(TfEngine engine, Parameters params, TensorFunction fn) {
    this.engine = engine;
    this.params = params;
    this.fn = fn;
  }

  @Override
  public List<Tensor> call(List<Tensor> inputs) {
    engine.checkOpen();
    Signature sig = Signature.ofTensors(inputs);
    Entry e = traces.get(sig);
    if (e == null) {
      e = new Entry();
      e.compiled = !engine.xla();
      e.current = trace(sig, false);
      traces.put(sig, e);
    } else if (!e.compiled && e.calls >= XLA_AFTER_CALLS) {
      e.compiled = true;
      e.current = trace(sig, true);
    }
    e.calls++;
    Traced tr = e.current;
    if (tr.outputs.length == 0) {
      return List.of();
    }
    Session.Runner r = (session != null ? session : engine.session()).runner();
    for (int i = 0; i < inputs.size(); i++) {
      r.feed(tr.inputs[i], engine.value(inputs.get(i)).tensor());
    }
    if (!tr.variables.isEmpty()) {
      org.tensorflow.Tensor[] values = engine.variableValues(tr.variables);
      for (int i = 0; i < values.length; i++) {
        r.feed(tr.variableFeeds[i], values[i]);
      }
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

  private Traced trace(Signature sig, boolean xla) {
    long t0 = System.nanoTime();
    boolean detached = engine.detachFunctions();
    if (detached && graph == null) {
      graph = new Graph();
      session = new Session(graph, engine.config());
      root = new OpScope(graph);
      engine.opened(this);
    }
    Trace t = detached ? engine.beginDetachedTrace(root.withSubScope("fn_" + scopes++), xla) : engine.beginTrace("fn", xla);
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
      List<TfVariable> vars = detached ? List.copyOf(t.reads().keySet()) : List.of();
      Output<?>[] varFeeds = vars.stream().map(v -> t.reads().get(v).output()).toArray(Output<?>[]::new);
      traceCount++;
      LOG.debug("traced a function for {}{} in {} ms ({} traces)", sig.shapes(), xla ? " for XLA" : "",
          (System.nanoTime() - t0) / 1_000_000, traceCount);
      return new Traced(ins, vars, varFeeds, outs);
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
    if (session != null) {
      engine.closed(this);
      session.close();
      graph.close();
      session = null;
      graph = null;
      root = null;
    }
  }
}
