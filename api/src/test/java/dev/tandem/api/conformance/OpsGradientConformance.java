package dev.tandem.api.conformance;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients of every differentiable op. For {@code L = sum(op(x) * R)} with a fixed random {@code
 * R}, the analytic gradient comes from the engine's own train step (SGD with learning rate 1, so
 * {@code grad = old - new}) and is compared with central differences of the engine's forward
 * values, accumulated in double on the host.
 */
public abstract class OpsGradientConformance extends OpsForwardConformance {
  /** Finite-difference step. */
  protected static final double GRAD_EPS = 1e-2;

  /** Gradient tolerance: {@code |analytic - numeric| <= GRAD_ATOL + GRAD_RTOL * max(|.|)}. */
  protected static final double GRAD_RTOL = 1e-2;

  /** See {@link #GRAD_RTOL}. */
  protected static final double GRAD_ATOL = 1e-3;

  /** An op of differentiable inputs {@code wrt} and fixed inputs {@code consts}. */
  @FunctionalInterface
  protected interface GradOp {
    Tensor apply(TensorOps ops, List<Tensor> wrt, List<Tensor> consts);
  }

  /** One gradient check. */
  protected record GradientCase(
      String label, GradOp op, List<HostTensor> wrt, List<HostTensor> consts) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("gradientCases")
  void gradient(GradientCase c) {
    HostTensor y =
        eval(
            (o, in) ->
                c.op()
                    .apply(o, in.subList(0, c.wrt().size()), in.subList(c.wrt().size(), in.size())),
            concat(c.wrt(), c.consts()));
    HostTensor weights = uniform(new Random(99), -1, 1, y.shape().dims());
    List<HostTensor> analytic = analyticGradients(c.op(), c.wrt(), c.consts(), weights);
    List<HostTensor> numeric = numericGradients(c.op(), c.wrt(), c.consts(), weights);
    for (int i = 0; i < analytic.size(); i++) {
      assertValues(
          c.label() + ": gradient of input " + i,
          Ref.of(numeric.get(i)).v,
          Ref.of(analytic.get(i)).v,
          GRAD_RTOL,
          GRAD_ATOL);
    }
  }

  /** The gradient of {@code maximum} goes to the first operand on ties. */
  @Test
  void maximumGradientGoesToFirstOperandOnTies() {
    HostTensor a = HostTensor.of(new float[] {1, 2, 3, -1}, 4);
    HostTensor b = HostTensor.of(new float[] {1, 0, 5, -1}, 4);
    HostTensor w = HostTensor.of(new float[] {0.5f, -2, 3, 1.5f}, 4);
    List<HostTensor> g =
        analyticGradients((o, x, k) -> o.maximum(x.get(0), x.get(1)), List.of(a, b), List.of(), w);
    assertValues("d/da", new double[] {0.5, -2, 0, 1.5}, Ref.of(g.get(0)).v, 1e-6, 1e-6);
    assertValues("d/db", new double[] {0, 0, 3, 0}, Ref.of(g.get(1)).v, 1e-6, 1e-6);
  }

  Stream<Arguments> gradientCases() {
    Random r = new Random(4321);
    List<Arguments> cs = new ArrayList<>();
    add(
        cs,
        "add [3,1,4]+[2,4]",
        (o, x, k) -> o.add(x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 3, 1, 4), uniform(r, -1, 1, 2, 4)));
    add(
        cs,
        "sub [2,4]-[3,1,4]",
        (o, x, k) -> o.sub(x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 2, 4), uniform(r, -1, 1, 3, 1, 4)));
    add(
        cs,
        "mul [4,1]*[1,3]",
        (o, x, k) -> o.mul(x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 4, 1), uniform(r, -1, 1, 1, 3)));
    add(
        cs,
        "div [3,4]/[4]",
        (o, x, k) -> o.div(x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 3, 4), signed(r, 0.5, 2, 4)));
    HostTensor mb = uniform(r, -1, 1, 3, 1);
    HostTensor ma = Ref.zip(Ref.of(signed(r, 0.1, 1, 3, 4)), Ref.of(mb), Double::sum).toHost();
    add(cs, "maximum [3,4] vs [3,1]", (o, x, k) -> o.maximum(x.get(0), x.get(1)), w(ma, mb));
    add(cs, "add(x, float)", (o, x, k) -> o.add(x.get(0), 0.75f), w(uniform(r, -1, 1, 2, 3)));
    add(cs, "mul(x, float)", (o, x, k) -> o.mul(x.get(0), -1.25f), w(uniform(r, -1, 1, 2, 3)));
    add(cs, "neg", (o, x, k) -> o.neg(x.get(0)), w(uniform(r, -1, 1, 3, 4)));
    add(cs, "exp", (o, x, k) -> o.exp(x.get(0)), w(uniform(r, -2, 2, 3, 4)));
    add(cs, "log", (o, x, k) -> o.log(x.get(0)), w(uniform(r, 0.5, 3, 3, 4)));
    add(cs, "sqrt", (o, x, k) -> o.sqrt(x.get(0)), w(uniform(r, 0.5, 3, 3, 4)));
    add(cs, "square", (o, x, k) -> o.square(x.get(0)), w(uniform(r, -2, 2, 3, 4)));
    add(cs, "tanh", (o, x, k) -> o.tanh(x.get(0)), w(uniform(r, -2, 2, 3, 4)));
    add(cs, "sigmoid", (o, x, k) -> o.sigmoid(x.get(0)), w(uniform(r, -4, 4, 3, 4)));
    add(cs, "relu", (o, x, k) -> o.relu(x.get(0)), w(signed(r, 0.1, 1, 3, 4)));
    add(cs, "pow 3", (o, x, k) -> o.pow(x.get(0), 3f), w(uniform(r, -1.5, 1.5, 3, 4)));
    add(cs, "pow 0.5", (o, x, k) -> o.pow(x.get(0), 0.5f), w(uniform(r, 0.5, 3, 3, 4)));
    add(cs, "pow -1.5", (o, x, k) -> o.pow(x.get(0), -1.5f), w(uniform(r, 0.5, 2, 3, 4)));
    add(cs, "gelu", (o, x, k) -> o.gelu(x.get(0)), w(uniform(r, -3, 3, 3, 4)));
    add(cs, "sin", (o, x, k) -> o.sin(x.get(0)), w(uniform(r, -3, 3, 3, 4)));
    add(cs, "cos", (o, x, k) -> o.cos(x.get(0)), w(uniform(r, -3, 3, 3, 4)));
    add(cs, "silu", (o, x, k) -> o.silu(x.get(0)), w(uniform(r, -4, 4, 3, 4)));
    add(cs, "logSigmoid", (o, x, k) -> o.logSigmoid(x.get(0)), w(uniform(r, -6, 6, 3, 4)));
    add(
        cs,
        "matmul [2,3,4,5]x[5,6]",
        (o, x, k) -> o.matmul(x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 2, 3, 4, 5), uniform(r, -1, 1, 5, 6)));
    add(
        cs,
        "matmul [2,1,4,5]x[3,5,6]",
        (o, x, k) -> o.matmul(x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 2, 1, 4, 5), uniform(r, -1, 1, 3, 5, 6)));
    // linear at 3 rows and at 16 (an engine may form the product differently by row count)
    add(
        cs,
        "linear [3,5]x[4,5]^T",
        (o, x, k) -> o.linear(x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 3, 5), uniform(r, -1, 1, 4, 5)));
    add(
        cs,
        "linear [2,8,5]x[4,5]^T",
        (o, x, k) -> o.linear(x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 2, 8, 5), uniform(r, -1, 1, 4, 5)));
    add(
        cs,
        "matmul of linear [16,5]x[4,5]^T by [4,3]",
        (o, x, k) -> o.matmul(o.linear(x.get(0), x.get(1)), x.get(2)),
        w(uniform(r, -1, 1, 16, 5), uniform(r, -1, 1, 4, 5), uniform(r, -1, 1, 4, 3)));
    add(cs, "reshape", (o, x, k) -> o.reshape(x.get(0), 3, -1), w(uniform(r, -1, 1, 2, 6)));
    add(
        cs,
        "transpose",
        (o, x, k) -> o.transpose(x.get(0), 2, 0, 1),
        w(uniform(r, -1, 1, 2, 3, 4)));
    add(cs, "slice", (o, x, k) -> o.slice(x.get(0), -2, 1, 4), w(uniform(r, -1, 1, 2, 5, 3)));
    add(
        cs,
        "concat",
        (o, x, k) -> o.concat(x, 1),
        w(uniform(r, -1, 1, 2, 1, 3), uniform(r, -1, 1, 2, 2, 3), uniform(r, -1, 1, 2, 3, 3)));
    add(
        cs,
        "broadcastTo",
        (o, x, k) -> o.broadcastTo(x.get(0), 2, 3, 4),
        w(uniform(r, -1, 1, 3, 1)));
    add(cs, "sum axis 1", (o, x, k) -> o.sum(x.get(0), 1, false), w(uniform(r, -1, 1, 2, 3, 4)));
    add(
        cs,
        "sum axis -1 keepDims",
        (o, x, k) -> o.sum(x.get(0), -1, true),
        w(uniform(r, -1, 1, 2, 3, 4)));
    add(cs, "mean axis 0", (o, x, k) -> o.mean(x.get(0), 0, false), w(uniform(r, -1, 1, 2, 3, 4)));
    add(
        cs,
        "mean axis -1 keepDims",
        (o, x, k) -> o.mean(x.get(0), -1, true),
        w(uniform(r, -1, 1, 2, 3, 4)));
    add(cs, "max axis 1", (o, x, k) -> o.max(x.get(0), 1, false), w(distinct(r, 0.1, 2, 3, 4)));
    add(
        cs,
        "max axis -1 keepDims",
        (o, x, k) -> o.max(x.get(0), -1, true),
        w(distinct(r, 0.1, 2, 3, 4)));
    add(cs, "sumAll", (o, x, k) -> o.sumAll(x.get(0)), w(uniform(r, -1, 1, 2, 3)));
    add(cs, "softmax axis -1", (o, x, k) -> o.softmax(x.get(0), -1), w(uniform(r, -2, 2, 3, 5)));
    add(cs, "softmax axis 0", (o, x, k) -> o.softmax(x.get(0), 0), w(uniform(r, -2, 2, 4, 3)));
    add(
        cs,
        "logSoftmax axis -1",
        (o, x, k) -> o.logSoftmax(x.get(0), -1),
        w(uniform(r, -2, 2, 3, 5)));
    add(
        cs,
        "logSoftmax axis 1",
        (o, x, k) -> o.logSoftmax(x.get(0), 1),
        w(uniform(r, -2, 2, 2, 3, 4)));
    add(
        cs,
        "layerNorm (x, gamma, beta)",
        (o, x, k) -> o.layerNorm(x.get(0), x.get(1), x.get(2), 1e-5f),
        w(uniform(r, -2, 2, 2, 3, 6), uniform(r, 0.5, 1.5, 6), uniform(r, -0.5, 0.5, 6)));
    add(
        cs,
        "rmsNorm (x, weight)",
        (o, x, k) -> o.rmsNorm(x.get(0), x.get(1), 1e-6f),
        w(uniform(r, -2, 2, 2, 3, 6), uniform(r, 0.5, 1.5, 6)));
    add(
        cs,
        "rotateHalf",
        (o, x, k) -> o.rotateHalf(x.get(0)),
        w(uniform(r, -2, 2, 2, 3, 4)));
    add(
        cs,
        "embedding (into the table)",
        (o, x, k) -> o.embedding(x.get(0), k.get(0)),
        w(uniform(r, -1, 1, 5, 4)),
        List.of(HostTensor.ofInts(new int[] {4, 0, 4, 2, 1, 4}, 2, 3)));
    add(
        cs,
        "takeAlongLastAxis",
        (o, x, k) -> o.takeAlongLastAxis(x.get(0), k.get(0)),
        w(uniform(r, -1, 1, 2, 3, 5)),
        List.of(randomInts(r, 5, 2, 3)));
    add(
        cs,
        "where (a and b)",
        (o, x, k) -> o.where(k.get(0), x.get(0), x.get(1)),
        w(uniform(r, -1, 1, 3, 4), uniform(r, -1, 1, 3, 1)),
        List.of(HostTensor.of(new float[] {1, 0, 2, 0}, 1, 4)));
    add(
        cs,
        "cast float to float",
        (o, x, k) -> o.cast(x.get(0), DType.FLOAT32),
        w(uniform(r, -1, 1, 3, 4)));
    add(
        cs,
        "composite: attention",
        (o, x, k) -> {
          Tensor scores = o.mul(o.matmul(x.get(0), o.transpose(x.get(1), 0, 2, 1)), 0.5f);
          return o.matmul(o.softmax(scores, -1), x.get(2));
        },
        w(uniform(r, -1, 1, 2, 3, 4), uniform(r, -1, 1, 2, 3, 4), uniform(r, -1, 1, 2, 3, 2)));
    return cs.stream();
  }

  private static List<HostTensor> w(HostTensor... t) {
    return List.of(t);
  }

  private static void add(List<Arguments> cs, String label, GradOp op, List<HostTensor> wrt) {
    add(cs, label, op, wrt, List.of());
  }

  private static void add(
      List<Arguments> cs, String label, GradOp op, List<HostTensor> wrt, List<HostTensor> consts) {
    cs.add(Arguments.of(Named.of(label, new GradientCase(label, op, wrt, consts))));
  }

  private static List<HostTensor> concat(List<HostTensor> a, List<HostTensor> b) {
    List<HostTensor> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Gradients of {@code sum(op(wrt, consts) * weights)} from one SGD step with rate 1. */
  protected List<HostTensor> analyticGradients(
      GradOp op, List<HostTensor> wrt, List<HostTensor> consts, HostTensor weights) {
    Map<String, HostTensor> init = new LinkedHashMap<>();
    for (int i = 0; i < wrt.size(); i++) {
      init.put("x" + i, wrt.get(i));
    }
    Parameters p = engine.createParameters(init, init.keySet());
    List<String> names = List.copyOf(init.keySet());
    try (TrainStep step =
        engine.trainStep(
            p,
            (ops, params, in) -> {
              List<Tensor> xs = names.stream().map(params::get).toList();
              Tensor y = op.apply(ops, xs, in.subList(1, in.size()));
              return LossOutput.of(ops.sumAll(ops.mul(y, in.get(0))));
            },
            new Sgd(),
            new TrainStepOptions(0f))) {
      step.run(concat(List.of(weights), consts), 1f);
    }
    List<HostTensor> grads = new ArrayList<>();
    for (int i = 0; i < wrt.size(); i++) {
      float[] before = wrt.get(i).floats();
      float[] after = p.read(names.get(i)).floats();
      float[] g = new float[before.length];
      for (int j = 0; j < g.length; j++) {
        g[j] = (float) ((double) before[j] - after[j]);
      }
      grads.add(HostTensor.of(g, wrt.get(i).shape().dims()));
    }
    return grads;
  }

  /** Central differences of {@code sum(op(wrt, consts) * weights)}, summed in double. */
  protected List<HostTensor> numericGradients(
      GradOp op, List<HostTensor> wrt, List<HostTensor> consts, HostTensor weights) {
    int k = wrt.size();
    double[] wts = Ref.of(weights).v;
    List<HostTensor> grads = new ArrayList<>();
    try (CompiledFunction f =
        engine.compile(
            noParams(),
            (ops, p, in) -> List.of(op.apply(ops, in.subList(0, k), in.subList(k, in.size()))))) {
      List<Tensor> fixed = new ArrayList<>();
      try {
        for (HostTensor h : concat(wrt, consts)) {
          fixed.add(engine.upload(h));
        }
        for (int i = 0; i < k; i++) {
          float[] x = wrt.get(i).floats();
          float[] g = new float[x.length];
          for (int j = 0; j < x.length; j++) {
            float plus = (float) (x[j] + GRAD_EPS);
            float minus = (float) (x[j] - GRAD_EPS);
            double lp = weightedSum(f, fixed, i, wrt.get(i), j, plus, wts);
            double lm = weightedSum(f, fixed, i, wrt.get(i), j, minus, wts);
            g[j] = (float) ((lp - lm) / ((double) plus - minus));
          }
          grads.add(HostTensor.of(g, wrt.get(i).shape().dims()));
        }
      } finally {
        fixed.forEach(Tensor::close);
      }
    }
    return grads;
  }

  private double weightedSum(
      CompiledFunction f,
      List<Tensor> fixed,
      int i,
      HostTensor x,
      int j,
      float value,
      double[] wts) {
    float[] data = x.floats().clone();
    data[j] = value;
    List<Tensor> in = new ArrayList<>(fixed);
    try (Tensor perturbed = engine.upload(HostTensor.of(data, x.shape().dims()))) {
      in.set(i, perturbed);
      List<Tensor> out = f.call(in);
      double[] y = Ref.of(engine.download(out.get(0))).v;
      out.forEach(Tensor::close);
      double s = 0;
      for (int t = 0; t < y.length; t++) {
        s += y[t] * wts[t];
      }
      return s;
    }
  }
}
