package dev.tandem.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.StepResult;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.optim.FusedKernels;
import dev.tandem.api.optim.FusedStep;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.optim.RmsProp;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused kernels against the op compositions over many steps: TorchScript optimizes a method
 * after its first calls, so three steps (the conformance suite) are not enough to trust it. The
 * kernels are reached only through the optimizer's hook ({@link Optimizer#applyFused}): an
 * optimizer of any class that forwards the hook is fused, one that does not runs op by op.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DjlKernelsTest {
  private DjlEngine fused;
  private DjlEngine generic;

  @BeforeAll
  void start() {
    DjlEngineProvider p = new DjlEngineProvider();
    fused = p.create(new EngineOptions("cpu", 1), true);
    generic = p.create(new EngineOptions("cpu", 1), false);
    assertNotNull(fused.kernels(), "kernels failed to load");
  }

  @AfterAll
  void stop() {
    fused.close();
    generic.close();
  }

  static Stream<Optimizer> optimizers() {
    return Stream.of(
        new AdamW(0.9f, 0.95f, 1e-8f, 0.1f), new RmsProp(0.9f, 1e-6f, 0.01f), new Sgd());
  }

  /** A two-layer GELU network with a frozen input table: matrices, vectors and a frozen tensor. */
  private static final LossFunction LOSS =
      (o, p, in) -> {
        Tensor h =
            o.gelu(o.add(o.matmul(o.embedding(p.get("emb"), in.get(0)), p.get("w1")), p.get("b1")));
        Tensor y = o.matmul(h, p.get("w2"));
        return new LossOutput(
            o.mean(o.reshape(o.square(o.sub(y, in.get(1))), -1), 0, false),
            Map.of("h", o.sumAll(h)));
      };

  private static Map<String, HostTensor> init() {
    Random r = new Random(11);
    Map<String, HostTensor> m = new LinkedHashMap<>();
    m.put("emb", rand(r, 6, 5));
    m.put("w1", rand(r, 5, 7));
    m.put("b1", rand(r, 7));
    m.put("w2", rand(r, 7, 3));
    return m;
  }

  private static HostTensor rand(Random r, int... shape) {
    float[] f = new float[HostTensor.zeros(shape).shape().size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) r.nextGaussian();
    }
    return HostTensor.of(f, shape);
  }

  /** An optimizer of another class that delegates everything, the hook included, and counts it. */
  private record Delegating(Optimizer inner, AtomicInteger fused, boolean forwardHook) implements Optimizer {
    @Override
    public String name() {
      return "delegating-" + inner.name();
    }

    @Override
    public List<String> stateNames() {
      return inner.stateNames();
    }

    @Override
    public Map<String, Tensor> update(
        TensorOps ops, Tensor p, Tensor g, Map<String, Tensor> s, Tensor lr, Tensor step) {
      return inner.update(ops, p, g, s, lr, step);
    }

    @Override
    public OptionalDouble applyFused(FusedKernels kernels, FusedStep step) {
      if (!forwardHook) {
        return OptionalDouble.empty();
      }
      OptionalDouble r = inner.applyFused(kernels, step);
      if (r.isPresent()) {
        fused.incrementAndGet();
      }
      return r;
    }
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void theHookIsWhatFusesAnyOptimizerClass(Optimizer opt) {
    AtomicInteger count = new AtomicInteger();
    fusedUpdatesMatchCompositionsOverManySteps(new Delegating(opt, count, true));
    assertEquals(25, count.get(), "every step went through the optimizer's fused update");
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void anOptimizerThatTakesNoKernelRunsOpByOpOnAKernelEngine(Optimizer opt) {
    AtomicInteger count = new AtomicInteger();
    Optimizer plain = new Delegating(opt, count, false);
    Map<String, HostTensor> init = init();
    var trainable = java.util.Set.of("w1", "b1", "w2");
    Parameters pf = fused.createParameters(init, trainable);
    Parameters pg = generic.createParameters(init, trainable);
    Random r = new Random(13);
    try (TrainStep sf = fused.trainStep(pf, LOSS, plain, new TrainStepOptions(0.5f));
        TrainStep sg = generic.trainStep(pg, LOSS, plain, new TrainStepOptions(0.5f))) {
      for (int step = 0; step < 5; step++) {
        List<HostTensor> batch = List.of(HostTensor.ofInts(new int[] {0, 1, 2, 3, 4, 5, 0, 1}, 2, 4), rand(r, 2, 4, 3));
        sf.run(batch, 0.02f);
        sg.run(batch, 0.02f);
      }
    }
    assertEquals(0, count.get());
    for (String n : pf.names()) {
      // the same op compositions on both engines (the GELU aside, which only the kernel engine
      // fuses): equal within float tolerance
      float[] x = pf.read(n).floats();
      float[] y = pg.read(n).floats();
      for (int i = 0; i < x.length; i++) {
        assertEquals(y[i], x[i], 1e-5, n + "[" + i + "]");
      }
    }
  }

  @ParameterizedTest
  @MethodSource("optimizers")
  void fusedUpdatesMatchCompositionsOverManySteps(Optimizer opt) {
    Map<String, HostTensor> init = init();
    var trainable = java.util.Set.of("w1", "b1", "w2");
    Parameters pf = fused.createParameters(init, trainable);
    Parameters pg = generic.createParameters(init, trainable);
    Random r = new Random(12);
    try (TrainStep sf = fused.trainStep(pf, LOSS, opt, new TrainStepOptions(0.5f));
        TrainStep sg = generic.trainStep(pg, LOSS, opt, new TrainStepOptions(0.5f))) {
      for (int step = 0; step < 25; step++) {
        int[] ids = new int[8];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = r.nextInt(6);
        }
        List<HostTensor> batch = List.of(HostTensor.ofInts(ids, 2, 4), rand(r, 2, 4, 3));
        StepResult a = sf.run(batch, 0.02f);
        StepResult b = sg.run(batch, 0.02f);
        assertEquals(
            b.loss(), a.loss(), 1e-4 * Math.max(1, Math.abs(b.loss())), "loss, step " + step);
        assertEquals(
            b.gradNorm(), a.gradNorm(), 1e-4 * Math.max(1, b.gradNorm()), "norm, step " + step);
        assertEquals(b.metrics().get("h"), a.metrics().get("h"), 1e-3, "metric, step " + step);
      }
      for (String n : pf.names()) {
        float[] x = pf.read(n).floats();
        float[] y = pg.read(n).floats();
        for (int i = 0; i < x.length; i++) {
          assertEquals(y[i], x[i], 1e-4, n + "[" + i + "]");
        }
      }
      Map<String, HostTensor> stf = sf.state();
      Map<String, HostTensor> stg = sg.state();
      assertEquals(stg.keySet(), stf.keySet());
      for (String k : stg.keySet()) {
        float[] x =
            stf.get(k).dtype() == dev.tandem.api.tensor.DType.INT32
                ? new float[] {stf.get(k).item()}
                : stf.get(k).floats();
        float[] y =
            stg.get(k).dtype() == dev.tandem.api.tensor.DType.INT32
                ? new float[] {stg.get(k).item()}
                : stg.get(k).floats();
        for (int i = 0; i < x.length; i++) {
          assertEquals(y[i], x[i], 1e-4 * Math.max(1, Math.abs(y[i])), k + "[" + i + "]");
        }
      }
    }
  }
}
