package dev.tandem.engine.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link MklOnAmd}: on an AMD CPU oneMKL asks our library for the vendor, and its products are right. */
class MklOnAmdTest {
  private static boolean amd() throws IOException {
    return Files.readString(Path.of("/proc/cpuinfo")).contains("AuthenticAMD");
  }

  @Test
  void oneMklAsksOurLibraryOnAmd() throws IOException {
    assumeTrue(amd(), "not an AMD CPU: the library is not loaded");
    try (Engine e = new DjlEngineProvider().create(new EngineOptions("cpu", 1))) {
      assertEquals("active", MklOnAmd.apply());
      product(e, 256, 192, 160);
      assertTrue(MklOnAmd.vendorChecks() > 0, "oneMKL never asked for the vendor");
    }
  }

  @Test
  void productsMatchADoublePrecisionReference() {
    try (Engine e = new DjlEngineProvider().create(new EngineOptions("cpu", 2))) {
      for (int[] s : new int[][] {{1, 64, 64}, {17, 33, 65}, {256, 192, 160}, {513, 128, 384}}) {
        product(e, s[0], s[1], s[2]);
      }
    }
  }

  /** Multiplies random [m, k] x [k, n] on the engine and checks every element against doubles. */
  private static void product(Engine e, int m, int k, int n) {
    Random r = new Random(m * 31L + k * 7L + n);
    float[] a = new float[m * k];
    float[] b = new float[k * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) r.nextGaussian();
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextGaussian();
    }
    Parameters p = e.createParameters(Map.of(), Set.of());
    CompiledFunction f = e.compile(p, (ops, ps, x) -> List.of(ops.matmul(x.get(0), x.get(1))));
    Tensor ta = e.upload(HostTensor.of(a, m, k));
    Tensor tb = e.upload(HostTensor.of(b, k, n));
    List<Tensor> out = f.call(List.of(ta, tb));
    float[] c = e.download(out.get(0)).floats();
    out.forEach(Tensor::close);
    ta.close();
    tb.close();
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double want = 0;
        double scale = 0;
        for (int q = 0; q < k; q++) {
          want += (double) a[i * k + q] * b[q * n + j];
          scale += Math.abs((double) a[i * k + q] * b[q * n + j]);
        }
        double got = c[i * n + j];
        assertTrue(Math.abs(got - want) <= 1e-5 * scale + 1e-6,
            m + "x" + k + "x" + n + " at (" + i + ", " + j + "): " + got + " vs " + want);
      }
    }
  }
}
