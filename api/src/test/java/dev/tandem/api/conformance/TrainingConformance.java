package dev.tandem.api.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.optim.RmsProp;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link TrainStep}: optimizers against {@link OptimizerReference}, clipping, state, evaluation.
 */
public abstract class TrainingConformance extends OpsGradientConformance {
  private static final float LR = 0.05f;

  /**
   * {@code sum(W*G) + sum(b*g) + 0.5 (|W|^2 + |b|^2)}: gradients {@code G + W} and {@code g + b},
   * with metric {@code wsum = sum(W)}. Inputs: G [3,4], g [4].
   */
  private static final LossFunction QUADRATIC =
      (o, p, in) -> {
        Tensor w = p.get("W");
        Tensor b = p.get("b");
        Tensor lin = o.add(o.sumAll(o.mul(w, in.get(0))), o.sumAll(o.mul(b, in.get(1))));
        Tensor quad = o.mul(o.add(o.sumAll(o.square(w)), o.sumAll(o.square(b))), 0.5f);
        return new LossOutput(o.add(lin, quad), Map.of("wsum", o.sumAll(w)));
      };

  private final Random random = new Random(77);
  private final HostTensor w0 = uniform(random, -1, 1, 3, 4);
  private final HostTensor b0 = uniform(random, -1, 1, 4);
  private final List<HostTensor> inputs =
      List.of(uniform(random, -2, 2, 3, 4), uniform(random, -2, 2, 4));

  private Parameters quadraticParams() {
    Map<String, HostTensor> init = new LinkedHashMap<>();
    init.put("W", w0);
    init.put("b", b0);
    return engine.createParameters(init, init.keySet());
  }

  /** Runs three steps on the engine and on the reference; compares parameters and norms. */
  private void checkAgainstReference(Optimizer opt, float maxGradNorm) {
    Parameters p = quadraticParams();
    Map<String, double[]> ref = new LinkedHashMap<>();
    ref.put("W", Ref.of(w0).v.clone());
    ref.put("b", Ref.of(b0).v.clone());
    Map<String, Integer> ranks = Map.of("W", 2, "b", 1);
    double[] gIn = Ref.of(inputs.get(0)).v;
    double[] gB = Ref.of(inputs.get(1)).v;
    OptimizerReference reference = new OptimizerReference(opt);
    try (TrainStep step = engine.trainStep(p, QUADRATIC, opt, new TrainStepOptions(maxGradNorm))) {
      for (int s = 1; s <= 3; s++) {
        Map<String, double[]> grads = new HashMap<>();
        grads.put("W", plus(gIn, ref.get("W")));
        grads.put("b", plus(gB, ref.get("b")));
        StepResult res = step.run(inputs, LR);
        double norm = reference.step(ref, ranks, grads, LR, maxGradNorm);
        String label = opt.name() + " step " + s;
        assertValues(
            label + " gradNorm", new double[] {norm}, new double[] {res.gradNorm()}, 1e-5, 1e-6);
        assertValues(label + " W", ref.get("W"), Ref.of(p.read("W")).v, 0, 1e-5);
        assertValues(label + " b", ref.get("b"), Ref.of(p.read("b")).v, 0, 1e-5);
        assertEquals(s, step.updates());
      }
    }
  }

  private static double[] plus(double[] a, double[] b) {
    double[] out = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  @Test
  void adamWMatchesReference() {
    checkAgainstReference(new AdamW(0.9f, 0.999f, 1e-8f, 0.1f), 0f);
  }

  @Test
  void adamWWithoutDecayMatchesReference() {
    checkAgainstReference(AdamW.defaults(), 0f);
  }

  @Test
  void rmsPropMatchesReference() {
    checkAgainstReference(RmsProp.defaults(), 0f);
  }

  @Test
  void rmsPropWithDecayMatchesReference() {
    checkAgainstReference(new RmsProp(0.9f, 1e-8f, 0.05f), 0f);
  }

  @Test
  void sgdMatchesReference() {
    checkAgainstReference(new Sgd(), 0f);
  }

  @Test
  void clippingMatchesReference() {
    checkAgainstReference(new Sgd(), 0.5f); // gradients have norm ~5: clipped
    checkAgainstReference(AdamW.defaults(), 1f);
    checkAgainstReference(new Sgd(), 1000f); // not clipped
  }

  @Test
  void sgdDecreasesLeastSquaresLoss() {
    Random r = new Random(5);
    HostTensor x = uniform(r, -1, 1, 16, 4);
    HostTensor wTrue = uniform(r, -1, 1, 4, 1);
    HostTensor y = Ref.of(x).matmul(Ref.of(wTrue)).toHost();
    Parameters p = engine.createParameters(Map.of("w", HostTensor.zeros(4, 1)), Set.of("w"));
    LossFunction mse =
        (o, params, in) ->
            LossOutput.of(
                o.mean(
                    o.reshape(o.square(o.sub(o.matmul(in.get(0), params.get("w")), in.get(1))), -1),
                    0,
                    false));
    try (TrainStep step = engine.trainStep(p, mse, new Sgd(), new TrainStepOptions(0f))) {
      float first = step.evaluate(List.of(x, y)).loss();
      float prev = Float.POSITIVE_INFINITY;
      for (int i = 0; i < 30; i++) {
        float loss = step.run(List.of(x, y), 0.3f).loss();
        assertTrue(loss < prev, "loss must decrease: step " + i + " " + loss + " after " + prev);
        prev = loss;
      }
      float last = step.evaluate(List.of(x, y)).loss();
      assertTrue(last < 0.1 * first, "loss " + first + " -> " + last);
    }
  }

  @Test
  void frozenParametersAreNotUpdatedAndHaveNoState() {
    Map<String, HostTensor> init = new LinkedHashMap<>();
    init.put("W", w0);
    init.put("F", b0);
    Parameters p = engine.createParameters(init, Set.of("W"));
    LossFunction loss =
        (o, params, in) ->
            LossOutput.of(o.sumAll(o.square(o.mul(params.get("W"), params.get("F")))));
    try (TrainStep step = engine.trainStep(p, loss, AdamW.defaults(), new TrainStepOptions(0f))) {
      step.run(List.of(), LR);
      step.run(List.of(), LR);
      assertEquals(b0, p.read("F"), "frozen parameter changed");
      assertNotEquals(w0, p.read("W"), "trainable parameter did not change");
      assertEquals(Set.of("m/W", "v/W", "updates"), step.state().keySet());
    }
  }

  /**
   * A trainable parameter the loss does not use, and one it reaches only through a cast to integers
   * (no gradient flows back), get zero gradients: without weight decay neither moves, and the step
   * runs.
   */
  @Test
  void parametersTheLossDoesNotDifferentiateGetZeroGradients() {
    Map<String, HostTensor> init = new LinkedHashMap<>();
    init.put("W", w0);
    init.put("unused", b0);
    init.put("cast", b0);
    Parameters p = engine.createParameters(init, init.keySet());
    LossFunction loss =
        (o, params, in) -> {
          Tensor rounded = o.cast(o.cast(params.get("cast"), DType.INT32), DType.FLOAT32);
          return LossOutput.of(o.add(o.sumAll(o.square(params.get("W"))), o.sumAll(rounded)));
        };
    AdamW noDecay = new AdamW(0.9f, 0.999f, 1e-8f, 0f);
    try (TrainStep step = engine.trainStep(p, loss, noDecay, new TrainStepOptions(0f))) {
      step.run(List.of(), LR);
      step.run(List.of(), LR);
      assertEquals(b0, p.read("unused"), "a parameter the loss does not use changed");
      assertEquals(b0, p.read("cast"), "a parameter without a gradient path changed");
      assertNotEquals(w0, p.read("W"), "trainable parameter did not change");
    }
  }

  @Test
  void evaluateChangesNothingAndMatchesRun() {
    Parameters p = quadraticParams();
    try (TrainStep step =
        engine.trainStep(p, QUADRATIC, AdamW.defaults(), new TrainStepOptions(1f))) {
      Map<String, HostTensor> before = p.readAll();
      StepResult ev = step.evaluate(inputs);
      assertEquals(before, p.readAll(), "evaluate changed parameters");
      assertEquals(0, step.updates());
      assertTrue(Float.isNaN(ev.gradNorm()), "evaluate reports no gradient norm");
      StepResult run = step.run(inputs, LR);
      assertValues("loss", new double[] {ev.loss()}, new double[] {run.loss()}, 1e-6, 1e-6);
      assertEquals(Set.of("wsum"), run.metrics().keySet());
      double wsum = java.util.Arrays.stream(Ref.of(w0).v).sum();
      assertValues(
          "metric", new double[] {wsum}, new double[] {ev.metrics().get("wsum")}, 1e-5, 1e-5);
      assertValues(
          "metric", new double[] {wsum}, new double[] {run.metrics().get("wsum")}, 1e-5, 1e-5);
      assertTrue(run.gradNorm() > 0, "gradNorm " + run.gradNorm());
    }
  }

  @Test
  void stateRoundTripContinuesIdentically() {
    Optimizer opt = new AdamW(0.9f, 0.99f, 1e-8f, 0.1f);
    Parameters p1 = quadraticParams();
    try (TrainStep s1 = engine.trainStep(p1, QUADRATIC, opt, new TrainStepOptions(0f))) {
      s1.run(inputs, LR);
      s1.run(inputs, LR);
      Map<String, HostTensor> state = s1.state();
      assertEquals(Set.of("m/W", "v/W", "m/b", "v/b", "updates"), state.keySet());
      assertEquals(2f, state.get("updates").item());
      Parameters p2 = engine.createParameters(p1.readAll(), p1.trainable());
      try (TrainStep s2 = engine.trainStep(p2, QUADRATIC, opt, new TrainStepOptions(0f))) {
        s2.loadState(state);
        assertEquals(2, s2.updates());
        s1.run(inputs, LR);
        s2.run(inputs, LR);
        for (String n : List.of("W", "b")) {
          assertValues(n, Ref.of(p1.read(n)).v, Ref.of(p2.read(n)).v, 0, 1e-6);
        }
        Map<String, HostTensor> st1 = s1.state();
        Map<String, HostTensor> st2 = s2.state();
        for (String k : st1.keySet()) {
          assertValues(k, Ref.of(st1.get(k)).v, Ref.of(st2.get(k)).v, 0, 1e-6);
        }
      }
    }
  }

  /**
   * What a resume does: parameters and optimizer state written from host values, then many steps
   * with garbage collections in between. Host buffers must not be referenced by device values after
   * the write (a use-after-free crashed the JVM dozens of steps after a resume).
   */
  @Test
  void valuesWrittenFromTheHostSurviveGarbageCollection() {
    Optimizer opt = AdamW.defaults();
    Parameters p1 = quadraticParams();
    Parameters p2 = quadraticParams();
    try (TrainStep s1 = engine.trainStep(p1, QUADRATIC, opt, new TrainStepOptions(1f));
        TrainStep s2 = engine.trainStep(p2, QUADRATIC, opt, new TrainStepOptions(1f))) {
      s1.run(inputs, LR);
      for (String n : p1.names()) {
        p2.write(n, copy(p1.read(n)));
      }
      s2.loadState(copyAll(s1.state()));
      for (int i = 0; i < 30; i++) {
        byte[][] garbage = new byte[64][];
        for (int j = 0; j < garbage.length; j++) {
          garbage[j] = new byte[1 << 16];
        }
        System.gc();
        s1.run(inputs, LR);
        s2.run(inputs, LR);
      }
      for (String n : List.of("W", "b")) {
        assertValues(n, Ref.of(p1.read(n)).v, Ref.of(p2.read(n)).v, 0, 1e-6);
      }
    }
  }

  private static HostTensor copy(HostTensor h) {
    return h.dtype() == DType.FLOAT32
        ? HostTensor.of(h.floats().clone(), h.shape().dims())
        : HostTensor.ofInts(h.ints().clone(), h.shape().dims());
  }

  private static Map<String, HostTensor> copyAll(Map<String, HostTensor> m) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, copy(v)));
    return out;
  }

  @Test
  void loadStateRejectsWrongShapes() {
    try (TrainStep step =
        engine.trainStep(
            quadraticParams(), QUADRATIC, RmsProp.defaults(), new TrainStepOptions(0f))) {
      Map<String, HostTensor> state = new LinkedHashMap<>(step.state());
      state.put("v/W", HostTensor.zeros(4, 3));
      assertThrows(IllegalArgumentException.class, () -> step.loadState(state));
    }
  }
}
