package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A probe, not a test: linear products at few rows (batched decoding, {@code x} of shape {@code
 * [rows, 1, in]}) in compiled functions, in three forms: direct ({@code matmul(x, transpose(w))},
 * one {@code MatMul} with {@code transpose_b}), rows first ({@code (W x^T)^T} written out), and
 * {@link TensorOps#linear} (what the engine picks). Over a chain of 30 layers of SmolLM2's q, gate
 * and down weights (252 MB, so the weights come from memory, as in decoding) and over its 49,152 x
 * 576 head. The rows-first window of {@link TfOps#linear} comes from this table:
 *
 * <pre>
 * export OMP_WAIT_POLICY=PASSIVE
 * mvn -o -q -pl api,engine-tensorflow -am verify -Dtest=TfLinearBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtandem.bench=true -Dtandem.bench.threads=2
 * </pre>
 */
public final class TfLinearBenchmark {
  private static final int[] ROWS = {1, 8, 12, 16, 24, 32, 48, 64};
  private static final int LAYERS = 30;

  @Test
  @EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
  void benchmark() {
    int threads = Integer.getInteger("tandem.bench.threads", 2);
    try (Engine e = new TfEngineProvider().create(new EngineOptions("cpu", threads))) {
      Random r = new Random(0);
      Map<String, HostTensor> w = new HashMap<>();
      for (int l = 0; l < LAYERS; l++) {
        w.put(l + ".q", weights(r, 576, 576));
        w.put(l + ".gate", weights(r, 1536, 576));
        w.put(l + ".down", weights(r, 576, 1536));
      }
      w.put("head", weights(r, 49152, 576));
      Parameters p = e.createParameters(w, Set.of());
      System.out.printf("TensorFlow, %d thread(s): ms per call (best of 6), direct / rows first / linear%n", threads);
      for (boolean head : new boolean[] {false, true}) {
        StringBuilder line = new StringBuilder(head ? "head:" : LAYERS + " layers of q, gate, down:");
        for (int m : ROWS) {
          double direct = millis(e, p, m, head, Form.DIRECT);
          double rowsFirst = millis(e, p, m, head, Form.ROWS_FIRST);
          double linear = millis(e, p, m, head, Form.LINEAR);
          line.append(String.format("  %d: %.1f/%.1f/%.1f", m, direct, rowsFirst, linear));
        }
        System.out.println(line);
      }
    }
  }

  private enum Form { DIRECT, ROWS_FIRST, LINEAR }

  private static double millis(Engine e, Parameters p, int rows, boolean head, Form form) {
    try (CompiledFunction f =
            e.compile(p, (o, ps, in) -> {
              Tensor x = in.get(0);
              if (head) {
                return List.of(product(o, x, ps.get("head"), form));
              }
              for (int l = 0; l < LAYERS; l++) {
                for (String k : new String[] {".q", ".gate", ".down"}) {
                  x = product(o, x, ps.get(l + k), form);
                }
                x = o.mul(x, 0.5f);
              }
              return List.of(x);
            });
        Tensor x = e.upload(TfTestSupport.uniform(new Random(1), -1, 1, rows, 1, 576))) {
      double best = Double.MAX_VALUE;
      for (int rep = 0; rep < 8; rep++) {
        long t0 = System.nanoTime();
        f.call(List.of(x)).forEach(Tensor::close);
        if (rep >= 2) {
          best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
      }
      return best;
    }
  }

  private static Tensor product(TensorOps o, Tensor x, Tensor w, Form form) {
    return switch (form) {
      case DIRECT -> o.matmul(x, o.transpose(w, 1, 0));
      case LINEAR -> o.linear(x, w);
      case ROWS_FIRST -> {
        int in = w.shape().dim(1);
        int rows = x.shape().size() / in;
        Tensor yt = o.matmul(w, o.transpose(o.reshape(x, rows, in), 1, 0));
        yield o.reshape(o.transpose(yt, 1, 0), rows, 1, w.shape().dim(0));
      }
    };
  }

  /** Weights of a plausible size (values do not matter for timing). */
  private static HostTensor weights(Random r, int... shape) {
    return TfTestSupport.uniform(r, -0.03, 0.03, shape);
  }
}
