package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Eager {@link TensorOps}: every call, composite ones included, runs as one small traced function
 * (cached by op, arguments and input shapes) on device values, and returns a device value the
 * caller closes. Meant for tests and small utilities, not for hot loops.
 */
final class EagerOps implements TensorOps {
  private final TfEngine engine;
  private final Parameters none;
  private final Map<String, TfFunction> functions = new HashMap<>();

  EagerOps(TfEngine engine) {
    this.engine = engine;
    this.none = engine.createParameters(Map.of(), Set.of());
  }

  private Tensor run(String key, List<Tensor> in, BiFunction<TensorOps, List<Tensor>, Tensor> body) {
    TfFunction f = functions.computeIfAbsent(key,
        k -> new TfFunction(engine, none, (ops, p, xs) -> List.of(body.apply(ops, xs))));
    return f.call(in).get(0);
  }

  private static String f(float v) {
    return Integer.toHexString(Float.floatToIntBits(v));
  }

  private static String ints(int... v) {
    return java.util.Arrays.toString(v);
  }

  @Override
  public Tensor constant(HostTensor value) {
    return engine.upload(value);
  }

  @Override
  public Tensor add(Tensor a, Tensor b) {
    return run("add", List.of(a, b), (o, x) -> o.add(x.get(0), x.get(1)));
  }

  @Override
  public Tensor sub(Tensor a, Tensor b) {
    return run("sub", List.of(a, b), (o, x) -> o.sub(x.get(0), x.get(1)));
  }

  @Override
  public Tensor mul(Tensor a, Tensor b) {
    return run("mul", List.of(a, b), (o, x) -> o.mul(x.get(0), x.get(1)));
  }

  @Override
  public Tensor div(Tensor a, Tensor b) {
    return run("div", List.of(a, b), (o, x) -> o.div(x.get(0), x.get(1)));
  }

  @Override
  public Tensor maximum(Tensor a, Tensor b) {
    return run("maximum", List.of(a, b), (o, x) -> o.maximum(x.get(0), x.get(1)));
  }

  @Override
  public Tensor add(Tensor a, float s) {
    return run("adds" + f(s), List.of(a), (o, x) -> o.add(x.get(0), s));
  }

  @Override
  public Tensor mul(Tensor a, float s) {
    return run("muls" + f(s), List.of(a), (o, x) -> o.mul(x.get(0), s));
  }

  @Override
  public Tensor neg(Tensor x) {
    return run("neg", List.of(x), (o, v) -> o.neg(v.get(0)));
  }

  @Override
  public Tensor exp(Tensor x) {
    return run("exp", List.of(x), (o, v) -> o.exp(v.get(0)));
  }

  @Override
  public Tensor log(Tensor x) {
    return run("log", List.of(x), (o, v) -> o.log(v.get(0)));
  }

  @Override
  public Tensor sqrt(Tensor x) {
    return run("sqrt", List.of(x), (o, v) -> o.sqrt(v.get(0)));
  }

  @Override
  public Tensor square(Tensor x) {
    return run("square", List.of(x), (o, v) -> o.square(v.get(0)));
  }

  @Override
  public Tensor tanh(Tensor x) {
    return run("tanh", List.of(x), (o, v) -> o.tanh(v.get(0)));
  }

  @Override
  public Tensor sin(Tensor x) {
    return run("sin", List.of(x), (o, v) -> o.sin(v.get(0)));
  }

  @Override
  public Tensor cos(Tensor x) {
    return run("cos", List.of(x), (o, v) -> o.cos(v.get(0)));
  }

  @Override
  public Tensor sigmoid(Tensor x) {
    return run("sigmoid", List.of(x), (o, v) -> o.sigmoid(v.get(0)));
  }

  @Override
  public Tensor relu(Tensor x) {
    return run("relu", List.of(x), (o, v) -> o.relu(v.get(0)));
  }

  @Override
  public Tensor pow(Tensor x, float exponent) {
    return run("pow" + f(exponent), List.of(x), (o, v) -> o.pow(v.get(0), exponent));
  }

  @Override
  public Tensor gelu(Tensor x) {
    return run("gelu", List.of(x), (o, v) -> o.gelu(v.get(0)));
  }

  @Override
  public Tensor logSigmoid(Tensor x) {
    return run("logSigmoid", List.of(x), (o, v) -> o.logSigmoid(v.get(0)));
  }

  @Override
  public Tensor matmul(Tensor a, Tensor b) {
    return run("matmul", List.of(a, b), (o, x) -> o.matmul(x.get(0), x.get(1)));
  }

  @Override
  public Tensor linear(Tensor x, Tensor w) {
    return run("linear", List.of(x, w), (o, in) -> o.linear(in.get(0), in.get(1)));
  }

  @Override
  public Tensor reshape(Tensor x, int... shape) {
    return run("reshape" + ints(shape), List.of(x), (o, v) -> o.reshape(v.get(0), shape));
  }

  @Override
  public Tensor transpose(Tensor x, int... perm) {
    return run("transpose" + ints(perm), List.of(x), (o, v) -> o.transpose(v.get(0), perm));
  }

  @Override
  public Tensor slice(Tensor x, int axis, int start, int end) {
    return run("slice" + ints(axis, start, end), List.of(x), (o, v) -> o.slice(v.get(0), axis, start, end));
  }

  @Override
  public Tensor concat(List<Tensor> xs, int axis) {
    return run("concat" + axis, List.copyOf(xs), (o, v) -> o.concat(v, axis));
  }

  @Override
  public Tensor broadcastTo(Tensor x, int... shape) {
    return run("broadcastTo" + ints(shape), List.of(x), (o, v) -> o.broadcastTo(v.get(0), shape));
  }

  @Override
  public Tensor sum(Tensor x, int axis, boolean keepDims) {
    return run("sum" + axis + keepDims, List.of(x), (o, v) -> o.sum(v.get(0), axis, keepDims));
  }

  @Override
  public Tensor mean(Tensor x, int axis, boolean keepDims) {
    return run("mean" + axis + keepDims, List.of(x), (o, v) -> o.mean(v.get(0), axis, keepDims));
  }

  @Override
  public Tensor max(Tensor x, int axis, boolean keepDims) {
    return run("max" + axis + keepDims, List.of(x), (o, v) -> o.max(v.get(0), axis, keepDims));
  }

  @Override
  public Tensor sumAll(Tensor x) {
    return run("sumAll", List.of(x), (o, v) -> o.sumAll(v.get(0)));
  }

  @Override
  public Tensor softmax(Tensor x, int axis) {
    return run("softmax" + axis, List.of(x), (o, v) -> o.softmax(v.get(0), axis));
  }

  @Override
  public Tensor logSoftmax(Tensor x, int axis) {
    return run("logSoftmax" + axis, List.of(x), (o, v) -> o.logSoftmax(v.get(0), axis));
  }

  @Override
  public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
    return run("layerNorm" + f(eps), List.of(x, gamma, beta),
        (o, v) -> o.layerNorm(v.get(0), v.get(1), v.get(2), eps));
  }

  @Override
  public Tensor embedding(Tensor table, Tensor ids) {
    return run("embedding", List.of(table, ids), (o, x) -> o.embedding(x.get(0), x.get(1)));
  }

  @Override
  public Tensor takeAlongLastAxis(Tensor x, Tensor index) {
    return run("takeAlongLastAxis", List.of(x, index), (o, v) -> o.takeAlongLastAxis(v.get(0), v.get(1)));
  }

  @Override
  public Tensor where(Tensor mask, Tensor a, Tensor b) {
    return run("where", List.of(mask, a, b), (o, x) -> o.where(x.get(0), x.get(1), x.get(2)));
  }

  @Override
  public Tensor cast(Tensor x, DType dtype) {
    return run("cast" + dtype, List.of(x), (o, v) -> o.cast(v.get(0), dtype));
  }
}
