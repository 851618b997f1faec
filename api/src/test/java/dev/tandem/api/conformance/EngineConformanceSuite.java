package dev.tandem.api.conformance;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.DType;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Shape;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The conformance suite every engine must pass. An engine's test module subclasses it and says how
 * to create the engine:
 *
 * <pre>{@code
 * class DjlConformanceTest extends EngineConformanceSuite {
 *   @Override
 *   protected Engine createEngine() {
 *     return new DjlEngineProvider().create(new EngineOptions("cpu", 1));
 *   }
 * }
 * }</pre>
 *
 * <p>The engine is created once for the class and closed after it. The suite covers forward values
 * of every op ({@link OpsForwardConformance}), gradients ({@link OpsGradientConformance}), train
 * steps and optimizers ({@link TrainingConformance}), and here: parameters, compiled functions,
 * upload and download. It needs the api test-jar ({@code tandem-api}, type {@code test-jar}) and
 * JUnit 5 on the test path.
 */
public abstract class EngineConformanceSuite extends TrainingConformance {

  // ---- parameters -------------------------------------------------------------------------------

  private Parameters threeParams() {
    Map<String, HostTensor> init = new LinkedHashMap<>();
    init.put("z.weight", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
    init.put("a.bias", HostTensor.of(new float[] {-1, 1}, 2));
    init.put("m.scale", HostTensor.scalar(0.5f));
    return engine.createParameters(init, Set.of("z.weight", "m.scale"));
  }

  @Test
  void parametersRoundTrip() {
    Parameters p = threeParams();
    assertEquals(List.of("z.weight", "a.bias", "m.scale"), p.names());
    assertEquals(Set.of("z.weight", "m.scale"), p.trainable());
    assertEquals(Shape.of(2, 3), p.shape("z.weight"));
    assertEquals(Shape.scalar(), p.shape("m.scale"));
    assertEquals(9, p.count(false));
    assertEquals(7, p.count(true));
    assertEquals(HostTensor.of(new float[] {-1, 1}, 2), p.read("a.bias"));
    HostTensor w = HostTensor.of(new float[] {6, 5, 4, 3, 2, 1}, 2, 3);
    p.write("z.weight", w);
    assertEquals(w, p.read("z.weight"));
    assertEquals(List.of("z.weight", "a.bias", "m.scale"), List.copyOf(p.readAll().keySet()));
    assertEquals(w, p.readAll().get("z.weight"));
  }

  @Test
  void unknownParameterNamesAreRejected() {
    Parameters p = threeParams();
    assertThrows(IllegalArgumentException.class, () -> p.shape("nope"));
    assertThrows(IllegalArgumentException.class, () -> p.read("nope"));
    assertThrows(IllegalArgumentException.class, () -> p.write("nope", HostTensor.scalar(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> engine.createParameters(Map.of("a", HostTensor.scalar(1)), Set.of("b")));
  }

  @Test
  void writingTheWrongShapeIsAClearError() {
    Parameters p = threeParams();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> p.write("z.weight", HostTensor.zeros(3, 2)));
    String msg = e.getMessage();
    assertTrue(msg.contains("z.weight") && msg.contains("[2, 3]") && msg.contains("[3, 2]"), msg);
  }

  @Test
  void writesAreSeenByLaterCalls() {
    Parameters p = threeParams();
    try (CompiledFunction f =
        engine.compile(
            p, (o, params, in) -> List.of(o.mul(params.get("z.weight"), params.get("m.scale"))))) {
      assertEquals(
          HostTensor.of(new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3}, 2, 3), call(f, List.of()).get(0));
      p.write("m.scale", HostTensor.scalar(2f));
      assertEquals(
          HostTensor.of(new float[] {2, 4, 6, 8, 10, 12}, 2, 3), call(f, List.of()).get(0));
    }
  }

  // ---- upload, download, compiled functions -----------------------------------------------------

  @Test
  void uploadDownloadRoundTrip() {
    Random r = new Random(3);
    List<HostTensor> values =
        List.of(
            uniform(r, -5, 5, 2, 3),
            HostTensor.of(new float[] {-0f, Float.MAX_VALUE, -Float.MIN_NORMAL, 1e-30f}, 4),
            HostTensor.scalar(-3.25f),
            HostTensor.ofInts(new int[] {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, 4),
            HostTensor.ofInts(new int[] {1, 2, 3, 4, 5, 6}, 3, 1, 2),
            HostTensor.ofInts(new int[] {42}));
    for (HostTensor h : values) {
      try (Tensor t = engine.upload(h)) {
        assertEquals(h.shape(), t.shape());
        assertEquals(h.dtype(), t.dtype());
        assertEquals(h, engine.download(t));
      }
    }
  }

  @Test
  void outputsFeedLaterCallsAndCloseSafely() {
    try (CompiledFunction f =
        engine.compile(
            noParams(), (o, p, in) -> List.of(o.mul(in.get(0), 2f), o.add(in.get(0), 1f)))) {
      Tensor x = engine.upload(HostTensor.of(new float[] {1, 2, 3}, 3));
      List<Tensor> out1 = f.call(List.of(x));
      List<Tensor> out2 = f.call(List.of(out1.get(0)));
      List<Tensor> out3 = f.call(List.of(out2.get(1)));
      assertEquals(HostTensor.of(new float[] {4, 8, 12}, 3), engine.download(out2.get(0)));
      assertEquals(HostTensor.of(new float[] {6, 10, 14}, 3), engine.download(out3.get(0)));
      out1.forEach(Tensor::close);
      assertEquals(HostTensor.of(new float[] {3, 5, 7}, 3), engine.download(out2.get(1)));
      out2.forEach(Tensor::close);
      out3.forEach(Tensor::close);
      assertDoesNotThrow(() -> out1.forEach(Tensor::close), "closing twice");
      List<Tensor> again = f.call(List.of(x));
      assertEquals(HostTensor.of(new float[] {2, 4, 6}, 3), engine.download(again.get(0)));
      again.forEach(Tensor::close);
      x.close();
    }
  }

  @Test
  void outputsThatAreInputsOrParametersAreIndependent() {
    Parameters p =
        engine.createParameters(Map.of("w", HostTensor.of(new float[] {7, 8}, 2)), Set.of("w"));
    try (CompiledFunction f =
        engine.compile(
            p,
            (o, params, in) -> List.of(in.get(0), params.get("w"), in.get(0), o.relu(in.get(0))))) {
      HostTensor xh = HostTensor.of(new float[] {-1, 1}, 2);
      try (Tensor x = engine.upload(xh)) {
        List<Tensor> out = f.call(List.of(x));
        assertEquals(4, out.size());
        assertEquals(xh, engine.download(out.get(0)));
        assertEquals(HostTensor.of(new float[] {7, 8}, 2), engine.download(out.get(1)));
        out.forEach(Tensor::close);
        assertEquals(xh, engine.download(x));
        assertEquals(HostTensor.of(new float[] {7, 8}, 2), p.read("w"));
        assertEquals(HostTensor.of(new float[] {0, 1}, 2), call(f, List.of(xh)).get(3));
      }
    }
  }

  @Test
  void intAndScalarOutputs() {
    List<HostTensor> out =
        call(
            noParams(),
            (o, p, in) ->
                List.of(
                    o.reshape(in.get(0), 2, 2),
                    o.sumAll(in.get(1)),
                    o.cast(in.get(1), DType.INT32)),
            List.of(
                HostTensor.ofInts(new int[] {1, 2, 3, 4}, 4),
                HostTensor.of(new float[] {1.5f, 2}, 2)));
    assertEquals(HostTensor.ofInts(new int[] {1, 2, 3, 4}, 2, 2), out.get(0));
    assertEquals(HostTensor.scalar(3.5f), out.get(1));
    assertEquals(HostTensor.ofInts(new int[] {1, 2}, 2), out.get(2));
  }

  @Test
  void traceCountIsStableForFixedShapes() {
    try (CompiledFunction f = engine.compile(noParams(), (o, p, in) -> List.of(o.exp(in.get(0))))) {
      call(f, List.of(HostTensor.zeros(2, 2)));
      int traces = f.traceCount();
      call(f, List.of(HostTensor.of(new float[] {1, 2, 3, 4}, 2, 2)));
      call(f, List.of(HostTensor.zeros(2, 2)));
      assertEquals(traces, f.traceCount());
    }
  }

  @Test
  void eagerOpsWork() {
    TensorOps o = engine.eagerOps();
    try (Tensor a = o.constant(HostTensor.of(new float[] {1, 4}, 2));
        Tensor b = o.sqrt(a);
        Tensor c =
            o.layerNorm(b, o.constant(HostTensor.of(new float[] {1, 1}, 2)), o.zeros(2), 0f);
        Tensor d = o.mul(b, 3f)) {
      assertEquals(HostTensor.of(new float[] {1, 2}, 2), engine.download(b));
      assertValues("layerNorm", new double[] {-1, 1}, Ref.of(engine.download(c)).v, 1e-5, 1e-5);
      assertEquals(HostTensor.of(new float[] {3, 6}, 2), engine.download(d));
    }
    // linear at 1 and 16 rows (an engine may form the product differently by row count)
    float[] w = {1, 0, 2, 0, 1, -1}; // [3, 2]: y = (x0, 2 x0, x0 - x1)
    for (int rows : new int[] {1, 16}) {
      float[] x = new float[rows * 2];
      double[] want = new double[rows * 3];
      for (int r = 0; r < rows; r++) {
        x[2 * r] = r;
        x[2 * r + 1] = 1;
        want[3 * r] = r;
        want[3 * r + 1] = 2 * r;
        want[3 * r + 2] = r - 1;
      }
      try (Tensor xt = o.constant(HostTensor.of(x, rows, 1, 2));
          Tensor wt = o.constant(HostTensor.of(w, 3, 2));
          Tensor y = o.linear(xt, wt)) {
        assertEquals(dev.tandem.api.tensor.Shape.of(rows, 1, 3), y.shape());
        assertValues("linear, " + rows + " rows", want, Ref.of(engine.download(y)).v, 1e-6, 1e-6);
      }
    }
  }
}
