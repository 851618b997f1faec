package dev.tandem.api.conformance;

import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward values of every {@link dev.tandem.api.tensor.TensorOps} method, default methods included,
 * against {@link Ref} on small random inputs, run through {@code Engine.compile}.
 */
public abstract class OpsForwardConformance extends ConformanceSupport {

  /** One forward check: an op, its inputs and the reference result. */
  protected record ForwardCase(
      String label,
      Op op,
      Function<List<Ref>, Ref> ref,
      List<HostTensor> inputs,
      double rtol,
      double atol) {}

  @ParameterizedTest(name = "{0}")
  @MethodSource("forwardCases")
  void forward(ForwardCase c) {
    HostTensor out = eval(c.op(), c.inputs());
    assertClose(c.label(), c.ref().apply(refs(c.inputs())), out, c.rtol(), c.atol());
  }

  Stream<Arguments> forwardCases() {
    Random r = new Random(1234);
    List<Arguments> cs = new ArrayList<>();

    // creation
    HostTensor c23 = uniform(r, -1, 1, 2, 3);
    HostTensor ci = HostTensor.ofInts(new int[] {3, -1, 7, 0}, 4);
    add(cs, "constant float", (o, in) -> o.constant(c23), x -> Ref.of(c23));
    add(cs, "constant int", (o, in) -> o.constant(ci), x -> Ref.of(ci));
    add(cs, "scalar", (o, in) -> o.scalar(2.5f), x -> Ref.of(HostTensor.scalar(2.5f)));
    add(cs, "zeros", (o, in) -> o.zeros(2, 3), x -> Ref.of(HostTensor.zeros(2, 3)));

    // binary, broadcasting
    add(
        cs,
        "add same shape",
        (o, in) -> o.add(in.get(0), in.get(1)),
        x -> Ref.zip(x.get(0), x.get(1), Double::sum),
        uniform(r, -1, 1, 2, 3),
        uniform(r, -1, 1, 2, 3));
    add(
        cs,
        "add [3,1,4]+[2,4]",
        (o, in) -> o.add(in.get(0), in.get(1)),
        x -> Ref.zip(x.get(0), x.get(1), Double::sum),
        uniform(r, -1, 1, 3, 1, 4),
        uniform(r, -1, 1, 2, 4));
    add(
        cs,
        "add [2,3]+scalar",
        (o, in) -> o.add(in.get(0), in.get(1)),
        x -> Ref.zip(x.get(0), x.get(1), Double::sum),
        uniform(r, -1, 1, 2, 3),
        uniform(r, -1, 1));
    add(
        cs,
        "sub [2,4]-[3,1,4]",
        (o, in) -> o.sub(in.get(0), in.get(1)),
        x -> Ref.zip(x.get(0), x.get(1), (a, b) -> a - b),
        uniform(r, -1, 1, 2, 4),
        uniform(r, -1, 1, 3, 1, 4));
    add(
        cs,
        "mul [4,1]*[1,3]",
        (o, in) -> o.mul(in.get(0), in.get(1)),
        x -> Ref.zip(x.get(0), x.get(1), (a, b) -> a * b),
        uniform(r, -1, 1, 4, 1),
        uniform(r, -1, 1, 1, 3));
    add(
        cs,
        "div [3,4]/[4]",
        (o, in) -> o.div(in.get(0), in.get(1)),
        x -> Ref.zip(x.get(0), x.get(1), (a, b) -> a / b),
        uniform(r, -1, 1, 3, 4),
        signed(r, 0.5, 2, 4));
    add(
        cs,
        "maximum [3,4] vs [3,1]",
        (o, in) -> o.maximum(in.get(0), in.get(1)),
        x -> Ref.zip(x.get(0), x.get(1), Math::max),
        uniform(r, -1, 1, 3, 4),
        uniform(r, -1, 1, 3, 1));
    add(
        cs,
        "add(x, 2.5f)",
        (o, in) -> o.add(in.get(0), 2.5f),
        x -> x.get(0).map(v -> v + 2.5f),
        uniform(r, -1, 1, 2, 3));
    add(
        cs,
        "mul(x, -1.5f)",
        (o, in) -> o.mul(in.get(0), -1.5f),
        x -> x.get(0).map(v -> v * -1.5f),
        uniform(r, -1, 1, 2, 3));

    // unary
    unary(cs, "neg", (o, in) -> o.neg(in.get(0)), v -> -v, uniform(r, -2, 2, 3, 4));
    unary(cs, "exp", (o, in) -> o.exp(in.get(0)), Math::exp, uniform(r, -3, 3, 3, 4));
    unary(cs, "log", (o, in) -> o.log(in.get(0)), Math::log, uniform(r, 0.1, 5, 3, 4));
    unary(cs, "sqrt", (o, in) -> o.sqrt(in.get(0)), Math::sqrt, uniform(r, 0.01, 5, 3, 4));
    unary(cs, "square", (o, in) -> o.square(in.get(0)), v -> v * v, uniform(r, -2, 2, 3, 4));
    unary(cs, "tanh", (o, in) -> o.tanh(in.get(0)), Math::tanh, uniform(r, -4, 4, 3, 4));
    unary(
        cs,
        "sigmoid",
        (o, in) -> o.sigmoid(in.get(0)),
        v -> 1 / (1 + Math.exp(-v)),
        uniform(r, -8, 8, 3, 4));
    unary(cs, "relu", (o, in) -> o.relu(in.get(0)), v -> Math.max(v, 0), uniform(r, -2, 2, 3, 4));
    unary(cs, "pow 3", (o, in) -> o.pow(in.get(0), 3f), v -> v * v * v, uniform(r, -2, 2, 3, 4));
    unary(cs, "pow 2", (o, in) -> o.pow(in.get(0), 2f), v -> v * v, uniform(r, -2, 2, 3, 4));
    unary(cs, "pow 0.5", (o, in) -> o.pow(in.get(0), 0.5f), Math::sqrt, uniform(r, 0.1, 4, 3, 4));
    unary(
        cs,
        "pow -1.5",
        (o, in) -> o.pow(in.get(0), -1.5f),
        v -> Math.pow(v, -1.5),
        uniform(r, 0.2, 3, 3, 4));
    unary(
        cs,
        "gelu (tanh approximation)",
        (o, in) -> o.gelu(in.get(0)),
        OpsForwardConformance::gelu,
        linspace(-4, 4, 33));
    unary(
        cs,
        "gelu random",
        (o, in) -> o.gelu(in.get(0)),
        OpsForwardConformance::gelu,
        uniform(r, -3, 3, 2, 3, 4));
    unary(cs, "sin", (o, in) -> o.sin(in.get(0)), Math::sin, uniform(r, -7, 7, 3, 4));
    unary(cs, "cos", (o, in) -> o.cos(in.get(0)), Math::cos, uniform(r, -7, 7, 3, 4));
    unary(cs, "silu", (o, in) -> o.silu(in.get(0)), v -> v / (1 + Math.exp(-v)), uniform(r, -6, 6, 2, 3, 4));
    unary(
        cs,
        "logSigmoid",
        (o, in) -> o.logSigmoid(in.get(0)),
        OpsForwardConformance::logSigmoid,
        uniform(r, -10, 10, 3, 4));
    unary(
        cs,
        "logSigmoid extremes",
        (o, in) -> o.logSigmoid(in.get(0)),
        OpsForwardConformance::logSigmoid,
        HostTensor.of(new float[] {-100, -50, -20, 0, 20, 50, 100}, 7));

    // matmul
    matmul(cs, r, new int[] {3, 4}, new int[] {4, 5});
    matmul(cs, r, new int[] {2, 3, 4, 5}, new int[] {5, 6});
    matmul(cs, r, new int[] {2, 1, 4, 5}, new int[] {3, 5, 6});
    matmul(cs, r, new int[] {4, 5}, new int[] {2, 5, 6});
    // linear: x W^T at row counts an engine may treat differently (1, 12, 16, 24, 48, 64)
    linear(cs, r, new int[] {1, 1, 7}, 5);
    linear(cs, r, new int[] {16, 1, 7}, 5);
    linear(cs, r, new int[] {2, 12, 7}, 9);
    linear(cs, r, new int[] {64, 7}, 5);
    linear(cs, r, new int[] {12, 7}, 5);
    linear(cs, r, new int[] {48, 1, 7}, 5);
    add(
        cs,
        "matmul of linear [16,7]x[5,7]^T by [5,3]",
        (o, in) -> o.matmul(o.linear(in.get(0), in.get(1)), in.get(2)),
        v -> v.get(0).matmul(v.get(1).transpose(1, 0)).matmul(v.get(2)),
        uniform(r, -1, 1, 16, 7),
        uniform(r, -1, 1, 5, 7),
        uniform(r, -1, 1, 5, 3));
    add(
        cs,
        "linear of a transposed [7,16] input x[5,7]^T",
        (o, in) -> o.linear(o.transpose(in.get(0), 1, 0), in.get(1)),
        v -> v.get(0).transpose(1, 0).matmul(v.get(1).transpose(1, 0)),
        uniform(r, -1, 1, 7, 16),
        uniform(r, -1, 1, 5, 7));

    // shape
    HostTensor ints23 = HostTensor.ofInts(new int[] {1, -2, 3, 4, 5, -6}, 2, 3);
    add(
        cs,
        "reshape [2,6] to [3,-1]",
        (o, in) -> o.reshape(in.get(0), 3, -1),
        x -> x.get(0).reshape(3, -1),
        uniform(r, -1, 1, 2, 6));
    add(
        cs,
        "reshape [2,3,4] to [4,6]",
        (o, in) -> o.reshape(in.get(0), 4, 6),
        x -> x.get(0).reshape(4, 6),
        uniform(r, -1, 1, 2, 3, 4));
    add(
        cs,
        "reshape [1,1] to scalar",
        (o, in) -> o.reshape(in.get(0)),
        x -> x.get(0).reshape(),
        uniform(r, -1, 1, 1, 1));
    add(cs, "reshape int", (o, in) -> o.reshape(in.get(0), 6), x -> x.get(0).reshape(6), ints23);
    add(
        cs,
        "transpose [2,3,4] (2,0,1)",
        (o, in) -> o.transpose(in.get(0), 2, 0, 1),
        x -> x.get(0).transpose(2, 0, 1),
        uniform(r, -1, 1, 2, 3, 4));
    add(
        cs,
        "transpose [3,4] (1,0)",
        (o, in) -> o.transpose(in.get(0), 1, 0),
        x -> x.get(0).transpose(1, 0),
        uniform(r, -1, 1, 3, 4));
    add(
        cs,
        "transpose int",
        (o, in) -> o.transpose(in.get(0), 1, 0),
        x -> x.get(0).transpose(1, 0),
        ints23);
    add(
        cs,
        "slice [2,5,3] axis -2 [1,4)",
        (o, in) -> o.slice(in.get(0), -2, 1, 4),
        x -> x.get(0).slice(-2, 1, 4),
        uniform(r, -1, 1, 2, 5, 3));
    add(
        cs,
        "slice [4,3] axis 0 [0,2)",
        (o, in) -> o.slice(in.get(0), 0, 0, 2),
        x -> x.get(0).slice(0, 0, 2),
        uniform(r, -1, 1, 4, 3));
    add(
        cs,
        "slice int",
        (o, in) -> o.slice(in.get(0), 1, 1, 3),
        x -> x.get(0).slice(1, 1, 3),
        ints23);
    add(
        cs,
        "concat axis 1",
        (o, in) -> o.concat(in, 1),
        x -> Ref.concat(x, 1),
        uniform(r, -1, 1, 2, 1, 3),
        uniform(r, -1, 1, 2, 2, 3),
        uniform(r, -1, 1, 2, 3, 3));
    add(
        cs,
        "concat axis -1",
        (o, in) -> o.concat(in, -1),
        x -> Ref.concat(x, -1),
        uniform(r, -1, 1, 2, 2),
        uniform(r, -1, 1, 2, 3));
    add(
        cs,
        "broadcastTo [3,1] to [2,3,4]",
        (o, in) -> o.broadcastTo(in.get(0), 2, 3, 4),
        x -> x.get(0).broadcastTo(2, 3, 4),
        uniform(r, -1, 1, 3, 1));
    add(
        cs,
        "broadcastTo [4] to [3,4]",
        (o, in) -> o.broadcastTo(in.get(0), 3, 4),
        x -> x.get(0).broadcastTo(3, 4),
        uniform(r, -1, 1, 4));
    add(
        cs,
        "broadcastTo scalar to [2,2]",
        (o, in) -> o.broadcastTo(in.get(0), 2, 2),
        x -> x.get(0).broadcastTo(2, 2),
        uniform(r, -1, 1));

    // reductions
    HostTensor x234 = uniform(r, -1, 1, 2, 3, 4);
    for (int axis : new int[] {0, 1, 2, -1, -3}) {
      for (boolean keep : new boolean[] {false, true}) {
        String s = " axis " + axis + (keep ? " keepDims" : "");
        add(
            cs,
            "sum" + s,
            (o, in) -> o.sum(in.get(0), axis, keep),
            x -> x.get(0).sum(axis, keep),
            x234);
        add(
            cs,
            "mean" + s,
            (o, in) -> o.mean(in.get(0), axis, keep),
            x -> x.get(0).mean(axis, keep),
            x234);
        add(
            cs,
            "max" + s,
            (o, in) -> o.max(in.get(0), axis, keep),
            x -> x.get(0).max(axis, keep),
            x234);
      }
    }
    add(cs, "sumAll [2,3,4]", (o, in) -> o.sumAll(in.get(0)), x -> x.get(0).sumAll(), x234);
    add(
        cs,
        "sumAll scalar",
        (o, in) -> o.sumAll(in.get(0)),
        x -> x.get(0).sumAll(),
        uniform(r, -1, 1));

    // normalisation
    HostTensor big =
        HostTensor.of(new float[] {1000, 1001, 999, 1000.5f, -1000, -999, -1001, -998}, 2, 4);
    for (Object[] s :
        new Object[][] {
          {uniform(r, -3, 3, 3, 5), -1}, {uniform(r, -3, 3, 4, 3), 0}, {big, -1}, {x234, 1}
        }) {
      HostTensor in0 = (HostTensor) s[0];
      int axis = (Integer) s[1];
      String lbl = in0.shape() + " axis " + axis;
      add(
          cs,
          "softmax " + lbl,
          (o, in) -> o.softmax(in.get(0), axis),
          x -> x.get(0).softmax(axis),
          in0);
      add(
          cs,
          "logSoftmax " + lbl,
          (o, in) -> o.logSoftmax(in.get(0), axis),
          x -> x.get(0).logSoftmax(axis),
          in0);
    }
    add(
        cs,
        "layerNorm [2,3,8] eps 1e-5",
        (o, in) -> o.layerNorm(in.get(0), in.get(1), in.get(2), 1e-5f),
        x -> x.get(0).layerNorm(x.get(1), x.get(2), 1e-5f),
        uniform(r, -2, 2, 2, 3, 8),
        uniform(r, 0.5, 1.5, 8),
        uniform(r, -0.5, 0.5, 8));
    add(
        cs,
        "layerNorm [4,6] eps 1e-3",
        (o, in) -> o.layerNorm(in.get(0), in.get(1), in.get(2), 1e-3f),
        x -> x.get(0).layerNorm(x.get(1), x.get(2), 1e-3f),
        uniform(r, -2, 2, 4, 6),
        uniform(r, 0.5, 1.5, 6),
        uniform(r, -0.5, 0.5, 6));
    add(
        cs,
        "rmsNorm [2,3,8] eps 1e-6",
        (o, in) -> o.rmsNorm(in.get(0), in.get(1), 1e-6f),
        x -> x.get(0).rmsNorm(x.get(1), 1e-6),
        uniform(r, -2, 2, 2, 3, 8),
        uniform(r, 0.5, 1.5, 8));
    add(
        cs,
        "rotateHalf [2,3,4,6]",
        (o, in) -> o.rotateHalf(in.get(0)),
        x -> x.get(0).rotateHalf(),
        uniform(r, -2, 2, 2, 3, 4, 6));

    // indexing and masks
    add(
        cs,
        "embedding [5,4] ids [2,3]",
        (o, in) -> o.embedding(in.get(0), in.get(1)),
        x -> Ref.embedding(x.get(0), x.get(1)),
        uniform(r, -1, 1, 5, 4),
        HostTensor.ofInts(new int[] {4, 0, 4, 2, 1, 0}, 2, 3));
    add(
        cs,
        "takeAlongLastAxis [2,3,5]",
        (o, in) -> o.takeAlongLastAxis(in.get(0), in.get(1)),
        x -> x.get(0).takeAlongLastAxis(x.get(1)),
        uniform(r, -1, 1, 2, 3, 5),
        randomInts(r, 5, 2, 3));
    add(
        cs,
        "takeAlongLastAxis [4,6]",
        (o, in) -> o.takeAlongLastAxis(in.get(0), in.get(1)),
        x -> x.get(0).takeAlongLastAxis(x.get(1)),
        uniform(r, -1, 1, 4, 6),
        randomInts(r, 6, 4));
    add(
        cs,
        "where mask [1,4], a [3,4], b [3,1]",
        (o, in) -> o.where(in.get(0), in.get(1), in.get(2)),
        x -> Ref.where(x.get(0), x.get(1), x.get(2)),
        HostTensor.of(new float[] {1, 0, 2, -1}, 1, 4),
        uniform(r, -1, 1, 3, 4),
        uniform(r, -1, 1, 3, 1));
    add(
        cs,
        "where same shapes",
        (o, in) -> o.where(in.get(0), in.get(1), in.get(2)),
        x -> Ref.where(x.get(0), x.get(1), x.get(2)),
        HostTensor.of(new float[] {1, 0, 0, 1, 1, 0}, 2, 3),
        uniform(r, -1, 1, 2, 3),
        uniform(r, -1, 1, 2, 3));
    HostTensor fr = HostTensor.of(new float[] {2.7f, -2.7f, 0.2f, -0.2f, 3f, -3f, 100.9f}, 7);
    add(
        cs,
        "cast float to int truncates",
        (o, in) -> o.cast(in.get(0), DType.INT32),
        x -> x.get(0).map(v -> (double) (long) v).withType(DType.INT32),
        fr);
    add(
        cs,
        "cast int to float",
        (o, in) -> o.cast(in.get(0), DType.FLOAT32),
        x -> x.get(0).withType(DType.FLOAT32),
        ints23);
    add(cs, "cast float to float", (o, in) -> o.cast(in.get(0), DType.FLOAT32), x -> x.get(0), fr);
    return cs.stream();
  }

  static double gelu(double v) {
    return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)));
  }

  static double logSigmoid(double v) {
    return Math.min(v, 0) - Math.log1p(Math.exp(-Math.abs(v)));
  }

  static HostTensor linspace(double lo, double hi, int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) (lo + (hi - lo) * i / (n - 1));
    }
    return HostTensor.of(f, n);
  }

  private static void matmul(List<Arguments> cs, Random r, int[] a, int[] b) {
    add(
        cs,
        "matmul " + java.util.Arrays.toString(a) + "x" + java.util.Arrays.toString(b),
        (o, in) -> o.matmul(in.get(0), in.get(1)),
        x -> x.get(0).matmul(x.get(1)),
        uniform(r, -1, 1, a),
        uniform(r, -1, 1, b));
  }

  private static void linear(List<Arguments> cs, Random r, int[] x, int out) {
    add(
        cs,
        "linear " + java.util.Arrays.toString(x) + "x[" + out + "," + x[x.length - 1] + "]^T",
        (o, in) -> o.linear(in.get(0), in.get(1)),
        v -> v.get(0).matmul(v.get(1).transpose(1, 0)),
        uniform(r, -1, 1, x),
        uniform(r, -1, 1, out, x[x.length - 1]));
  }

  private static void unary(
      List<Arguments> cs,
      String label,
      Op op,
      java.util.function.DoubleUnaryOperator f,
      HostTensor in) {
    add(cs, label, op, x -> x.get(0).map(f), in);
  }

  private static void add(
      List<Arguments> cs, String label, Op op, Function<List<Ref>, Ref> ref, HostTensor... inputs) {
    cs.add(
        Arguments.of(
            Named.of(label, new ForwardCase(label, op, ref, List.of(inputs), RTOL, ATOL))));
  }
}
