package dev.tandem.engine.djl;

import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A probe, not a test: a linear layer's product {@code x W^T} at few rows (batched decoding), timed
 * in its two forms, {@code x W^T} (direct) and {@code (W x^T)^T} (rows first), and as {@link
 * TensorOps#linear} picks, for the weights of SmolLM2-135M's and Qwen3-0.6B's layers and heads.
 * The rows-first window of {@link DjlOps#linear} comes from this table:
 *
 * <pre>
 * export OMP_WAIT_POLICY=PASSIVE
 * mvn -o -q -pl api,engine-djl -am verify -Dtest=DjlLinearBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtandem.bench=true -Dtandem.bench.threads=2
 * </pre>
 */
public final class DjlLinearBenchmark {
  private static final int[] ROWS = {1, 4, 8, 12, 16, 24, 32, 48, 64};
  /** [out, in]: SmolLM2's q/o, k/v, gate/up, down, head; Qwen3-0.6B's gate/up and down. */
  private static final int[][] WEIGHTS = {
    {576, 576}, {192, 576}, {1536, 576}, {576, 1536}, {49152, 576}, {3072, 1024}, {1024, 3072}
  };

  @Test
  @EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
  void benchmark() {
    int threads = Integer.getInteger("tandem.bench.threads", 2);
    try (Engine e = new DjlEngineProvider().create(new EngineOptions("cpu", threads))) {
      TensorOps o = e.eagerOps();
      Random r = new Random(0);
      System.out.printf("DJL, %d thread(s): microseconds per product (median), direct / rows first / linear%n", threads);
      for (int[] wd : WEIGHTS) {
        try (Tensor w = e.upload(DjlBenchmark.randn(r, 0.02f, wd))) {
          StringBuilder line = new StringBuilder(String.format("W [%d, %d]:", wd[0], wd[1]));
          for (int m : ROWS) {
            try (Tensor x = e.upload(DjlBenchmark.randn(r, 1f, m, 1, wd[1]))) {
              int reps = wd[0] * wd[1] > 10_000_000 ? 9 : 101;
              double direct = micros(reps, () -> {
                try (Tensor wt = o.transpose(w, 1, 0)) {
                  return o.matmul(x, wt);
                }
              });
              double rowsFirst = micros(reps, () -> {
                try (Tensor x2 = o.reshape(x, m, wd[1]);
                    Tensor xt = o.transpose(x2, 1, 0);
                    Tensor yt = o.matmul(w, xt)) {
                  return o.transpose(yt, 1, 0);
                }
              });
              double picked = micros(reps, () -> o.linear(x, w));
              line.append(String.format("  %d: %.0f/%.0f/%.0f", m, direct, rowsFirst, picked));
            }
          }
          System.out.println(line);
        }
      }
    }
  }

  private static double micros(int reps, Supplier<Tensor> product) {
    return DjlBenchmark.time(3, reps, () -> product.get().close()) * 1e6;
  }
}
