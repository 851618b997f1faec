package dev.tandem.engine.tensorflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.Sgd;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shared helpers of the engine's own tests. */
final class TfTestSupport {
  private TfTestSupport() {}

  /** Every node a traced run reported, in order of start. */
  static List<org.tensorflow.proto.NodeExecStats> nodes(org.tensorflow.proto.RunMetadata md) {
    List<org.tensorflow.proto.NodeExecStats> nodes = new ArrayList<>();
    for (org.tensorflow.proto.DeviceStepStats d : md.getStepStats().getDevStatsList()) {
      nodes.addAll(d.getNodeStatsList());
    }
    nodes.sort(java.util.Comparator.comparingLong(org.tensorflow.proto.NodeExecStats::getAllStartMicros));
    return nodes;
  }

  /** The allocators' bytes in use after a node ran, summed over the allocators it reported. */
  static long bytesInUse(org.tensorflow.proto.NodeExecStats n) {
    long inUse = 0;
    for (org.tensorflow.proto.AllocatorMemoryUsed m : n.getMemoryList()) {
      inUse += m.getAllocatorBytesInUse();
    }
    return inUse;
  }

  /** A CPU engine with one thread, as the tests run on a shared machine. */
  static Engine engine() {
    return new TfEngineProvider().create(new EngineOptions("cpu", 1));
  }

  static HostTensor uniform(Random r, double lo, double hi, int... shape) {
    float[] f = new float[HostTensor.zeros(shape).shape().size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) (lo + (hi - lo) * r.nextDouble());
    }
    return HostTensor.of(f, shape);
  }

  /** Calls a compiled function on host inputs; closes every device tensor. */
  static List<HostTensor> call(Engine e, CompiledFunction f, List<HostTensor> inputs) {
    List<Tensor> in = new ArrayList<>();
    try {
      for (HostTensor h : inputs) {
        in.add(e.upload(h));
      }
      List<HostTensor> out = new ArrayList<>();
      for (Tensor t : f.call(in)) {
        out.add(e.download(t));
        t.close();
      }
      return out;
    } finally {
      in.forEach(Tensor::close);
    }
  }

  /**
   * Checks the gradient of {@code loss} with respect to every parameter along a random direction
   * per parameter: {@code g . d} from one SGD step with rate 1 against central differences of the
   * loss. Returns the worst relative error.
   */
  static double checkDirectionalGradients(
      Engine e, Map<String, HostTensor> init, LossFunction loss, List<HostTensor> inputs, double tol) {
    Parameters p = e.createParameters(init, init.keySet());
    try (TrainStep step = e.trainStep(p, loss, new Sgd(), new TrainStepOptions(0f))) {
      step.run(inputs, 1f);
    }
    Parameters q = e.createParameters(init, init.keySet());
    Random r = new Random(11);
    double worst = 0;
    try (CompiledFunction f = e.compile(q, (o, params, in) -> List.of(loss.apply(o, params, in).loss()))) {
      for (String name : init.keySet()) {
        float[] x0 = init.get(name).floats();
        float[] after = p.read(name).floats();
        // the direction: the analytic gradient's plus a random one, both of unit length, so that
        // the derivative is large against float32 rounding yet checks more than the gradient's norm
        double[] d = new double[x0.length];
        double gn = 0;
        double rn = 0;
        double[] rand = new double[x0.length];
        for (int i = 0; i < d.length; i++) {
          rand[i] = r.nextGaussian();
          rn += rand[i] * rand[i];
          gn += ((double) x0[i] - after[i]) * ((double) x0[i] - after[i]);
        }
        double norm = 0;
        for (int i = 0; i < d.length; i++) {
          d[i] = rand[i] / Math.sqrt(rn) + (gn > 0 ? ((double) x0[i] - after[i]) / Math.sqrt(gn) : 0);
          norm += d[i] * d[i];
        }
        double analytic = 0;
        for (int i = 0; i < d.length; i++) {
          d[i] /= Math.sqrt(norm);
          analytic += ((double) x0[i] - after[i]) * d[i];
        }
        double h = 1e-2;
        double plus = lossAt(e, f, q, name, x0, d, h, inputs);
        double minus = lossAt(e, f, q, name, x0, d, -h, inputs);
        q.write(name, init.get(name));
        double numeric = (plus - minus) / (2 * h);
        double err = Math.abs(analytic - numeric) / Math.max(Math.abs(numeric), 1e-2);
        worst = Math.max(worst, err);
        assertTrue(err < tol, name + ": directional derivative " + analytic + ", numeric " + numeric);
      }
    }
    return worst;
  }

  private static double lossAt(
      Engine e, CompiledFunction f, Parameters q, String name, float[] x0, double[] d, double h,
      List<HostTensor> inputs) {
    float[] x = new float[x0.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (x0[i] + h * d[i]);
    }
    q.write(name, HostTensor.of(x, q.shape(name).dims()));
    return call(e, f, inputs).get(0).item();
  }

  /** Weights scaled up so that gradients are large enough for float32 finite differences. */
  static Map<String, HostTensor> scaled(Map<String, HostTensor> w, float factor) {
    Map<String, HostTensor> out = new LinkedHashMap<>();
    w.forEach((k, v) -> {
      float[] f = v.floats().clone();
      if (v.shape().rank() == 2) {
        for (int i = 0; i < f.length; i++) {
          f[i] *= factor;
        }
      }
      out.put(k, HostTensor.of(f, v.shape().dims()));
    });
    return out;
  }

  /** Resident memory of this process in KiB, from /proc/self/status (Linux). */
  static long rssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
