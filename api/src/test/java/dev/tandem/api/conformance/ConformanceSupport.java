package dev.tandem.api.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TensorFunction;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The engine under test, created once per test class and closed after it, and the helpers every
 * part of the conformance suite shares: random inputs, running functions, comparing results.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceSupport {
  /** The engine under test. */
  protected Engine engine;

  private Parameters noParams;

  /** Creates the engine under test; called once per test class, closed after its tests. */
  protected abstract Engine createEngine();

  @BeforeAll
  final void startEngine() {
    engine = createEngine();
    noParams = engine.createParameters(Map.of(), Set.of());
  }

  @AfterAll
  final void closeEngine() {
    if (engine != null) {
      engine.close();
    }
  }

  /** A function of its inputs alone, for op tests. */
  @FunctionalInterface
  protected interface Op {
    Tensor apply(TensorOps ops, List<Tensor> inputs);
  }

  /** Parameters with no entries. */
  protected Parameters noParams() {
    return noParams;
  }

  // ---- running ----------------------------------------------------------------------------------

  /** Compiles {@code fn}, uploads the inputs, calls once, downloads and closes everything. */
  protected List<HostTensor> call(Parameters params, TensorFunction fn, List<HostTensor> inputs) {
    try (CompiledFunction f = engine.compile(params, fn)) {
      return call(f, inputs);
    }
  }

  /** Calls a compiled function on host inputs and returns host outputs, closing every tensor. */
  protected List<HostTensor> call(CompiledFunction f, List<HostTensor> inputs) {
    List<Tensor> in = new ArrayList<>();
    try {
      for (HostTensor h : inputs) {
        in.add(engine.upload(h));
      }
      List<Tensor> out = f.call(in);
      List<HostTensor> result = new ArrayList<>();
      for (Tensor t : out) {
        result.add(engine.download(t));
        t.close();
      }
      return result;
    } finally {
      in.forEach(Tensor::close);
    }
  }

  /** Runs a one-output op on host inputs. */
  protected HostTensor eval(Op op, List<HostTensor> inputs) {
    return call(noParams, (ops, p, in) -> List.of(op.apply(ops, in)), inputs).get(0);
  }

  // ---- data -------------------------------------------------------------------------------------

  /** Uniform floats in {@code [lo, hi)}. */
  protected static HostTensor uniform(Random r, double lo, double hi, int... shape) {
    float[] f = new float[HostTensor.zeros(shape).shape().size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) (lo + (hi - lo) * r.nextDouble());
    }
    return HostTensor.of(f, shape);
  }

  /** Floats with magnitude in {@code [lo, hi)} and a random sign: away from kinks at zero. */
  protected static HostTensor signed(Random r, double lo, double hi, int... shape) {
    float[] f = uniform(r, lo, hi, shape).floats();
    for (int i = 0; i < f.length; i++) {
      f[i] = r.nextBoolean() ? f[i] : -f[i];
    }
    return HostTensor.of(f, shape);
  }

  /**
   * Distinct floats at least {@code gap} apart, in random order: no ties for max and no kinks
   * within a finite-difference step.
   */
  protected static HostTensor distinct(Random r, double gap, int... shape) {
    int n = HostTensor.zeros(shape).shape().size();
    List<Float> vals = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      vals.add((float) ((i - n / 2.0) * gap));
    }
    java.util.Collections.shuffle(vals, r);
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = vals.get(i);
    }
    return HostTensor.of(f, shape);
  }

  /** Random ints in {@code [0, bound)}. */
  protected static HostTensor randomInts(Random r, int bound, int... shape) {
    int[] d = new int[HostTensor.zeros(shape).shape().size()];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextInt(bound);
    }
    return HostTensor.ofInts(d, shape);
  }

  // ---- assertions -------------------------------------------------------------------------------

  /** Default forward tolerance for float32 results: {@code |e - a| <= 2e-5 + 2e-5 |e|}. */
  protected static final double RTOL = 2e-5;

  /** See {@link #RTOL}. */
  protected static final double ATOL = 2e-5;

  static void assertClose(String label, Ref expected, HostTensor actual) {
    assertClose(label, expected, actual, RTOL, ATOL);
  }

  static void assertClose(String label, Ref expected, HostTensor actual, double rtol, double atol) {
    assertArrayEquals(
        expected.shape, actual.shape().dims(), () -> label + ": shape " + actual.shape());
    assertEquals(expected.dtype, actual.dtype(), () -> label + ": dtype");
    assertValues(label, expected.v, Ref.of(actual).v, rtol, atol);
  }

  /** Elementwise {@code |e - a| <= atol + rtol * max(|e|, |a|)}; reports the worst element. */
  static void assertValues(
      String label, double[] expected, double[] actual, double rtol, double atol) {
    assertEquals(expected.length, actual.length, () -> label + ": length");
    int worst = -1;
    double worstExcess = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      if (Double.isNaN(e) != Double.isNaN(a)) {
        fail(label + ": element " + i + " expected " + e + " but was " + a);
      }
      double excess = Math.abs(e - a) - (atol + rtol * Math.max(Math.abs(e), Math.abs(a)));
      if (excess > worstExcess || (Double.isInfinite(e) && e != a)) {
        worst = i;
        worstExcess = Math.max(excess, worstExcess);
      }
    }
    if (worst >= 0) {
      fail(
          String.format(
              "%s: element %d expected %.7g but was %.7g (rtol %.1g, atol %.1g); expected %s,"
                  + " actual %s",
              label,
              worst,
              expected[worst],
              actual[worst],
              rtol,
              atol,
              head(expected),
              head(actual)));
    }
  }

  private static String head(double[] d) {
    return Arrays.toString(Arrays.copyOf(d, Math.min(d.length, 10)));
  }

  static List<Ref> refs(List<HostTensor> hs) {
    return hs.stream().map(Ref::of).toList();
  }
}
