package dev.tandem.engine.djl;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput probes for the DJL engine, not a test: (a) fp32 matmul peak, (b) per-op overhead, (c)
 * an AdamW update over 52 GPT-sized tensors, (d) a full train step of a 4-layer, d_model 128,
 * 4-head GPT (context 64, batch 16). Through Maven (surefire sets {@code OMP_NUM_THREADS=1} and
 * {@code OMP_WAIT_POLICY=PASSIVE}):
 *
 * <pre>
 * mvn -o -q -pl api,engine-djl -am verify -Dtest=DjlBenchmark \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dtandem.bench=true -Dtandem.bench.threads=1
 * </pre>
 *
 * <p>or with {@code java ... dev.tandem.engine.djl.DjlBenchmark} on the test class path to choose
 * the OpenMP environment. {@code -Dtandem.djl.kernels=false} measures the op compositions instead
 * of the fused kernels; {@code -Dtandem.bench.profile=FILE} writes a PyTorch profiler trace of
 * three GPT steps.
 */
public final class DjlBenchmark {
  static final int V = 256;
  static final int C = 128;
  static final int H = 4;
  static final int L = 4;
  static final int T = 64;
  static final int B = 16;

  @Test
  @EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
  void benchmark() {
    main(new String[0]);
  }

  public static void main(String[] args) {
    int threads = Integer.getInteger("tandem.bench.threads", 1);
    try (Engine e = new DjlEngineProvider().create(new EngineOptions("cpu", threads))) {
      System.out.printf(
          "DJL benchmark, %d intra-op thread(s), OMP_NUM_THREADS=%s, OMP_WAIT_POLICY=%s,"
              + " fused kernels %s%n",
          threads,
          System.getenv("OMP_NUM_THREADS"),
          System.getenv("OMP_WAIT_POLICY"),
          ((DjlEngine) e).kernels() != null ? "on" : "off");
      double peak = matmul(e);
      tinyOps(e);
      adamW(e);
      gpt(e, peak);
    }
  }

  /** Median seconds of {@code reps} runs after {@code warm} warm-up runs. */
  static double time(int warm, int reps, Runnable r) {
    for (int i = 0; i < warm; i++) {
      r.run();
    }
    double[] t = new double[reps];
    for (int i = 0; i < reps; i++) {
      long s = System.nanoTime();
      r.run();
      t[i] = (System.nanoTime() - s) / 1e9;
    }
    java.util.Arrays.sort(t);
    return t[reps / 2];
  }

  static HostTensor randn(Random r, float scale, int... shape) {
    float[] f = new float[HostTensor.zeros(shape).shape().size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) r.nextGaussian() * scale;
    }
    return HostTensor.of(f, shape);
  }

  static void callAndClose(CompiledFunction f, List<Tensor> in) {
    f.call(in).forEach(Tensor::close);
  }

  static double matmul(Engine e) {
    Random r = new Random(1);
    int n = 1024;
    try (CompiledFunction f =
            e.compile(
                e.createParameters(Map.of(), java.util.Set.of()),
                (o, p, in) -> List.of(o.matmul(in.get(0), in.get(1))));
        Tensor a = e.upload(randn(r, 1, n, n));
        Tensor b = e.upload(randn(r, 1, n, n))) {
      double s = time(3, 15, () -> callAndClose(f, List.of(a, b)));
      double gflops = 2.0 * n * n * n / s / 1e9;
      System.out.printf(
          "(a) matmul %dx%dx%d fp32: %.2f ms, %.1f GFLOP/s%n", n, n, n, s * 1e3, gflops);
      return gflops;
    }
  }

  static void tinyOps(Engine e) {
    int n = 200;
    Parameters none = e.createParameters(Map.of(), java.util.Set.of());
    try (Tensor x = e.upload(HostTensor.zeros(4, 4));
        Tensor y = e.upload(HostTensor.of(new float[16], 4, 4))) {
      report(
          "(b) add [4,4], in a function",
          n,
          time(
              20,
              50,
              () -> {
                try (CompiledFunction f =
                    e.compile(
                        none,
                        (o, p, in) -> {
                          Tensor t = in.get(0);
                          for (int i = 0; i < n; i++) {
                            t = o.add(t, in.get(1));
                          }
                          return List.of(t);
                        })) {
                  callAndClose(f, List.of(x, y));
                }
              }));
      report(
          "(b) mul(x, float) [4,4], in a function",
          n,
          time(
              20,
              50,
              () -> {
                try (CompiledFunction f =
                    e.compile(
                        none,
                        (o, p, in) -> {
                          Tensor t = in.get(0);
                          for (int i = 0; i < n; i++) {
                            t = o.mul(t, 1.0001f);
                          }
                          return List.of(t);
                        })) {
                  callAndClose(f, List.of(x));
                }
              }));
      TensorOps eager = e.eagerOps();
      report(
          "(b) add [4,4], eager ops (closing each result)",
          n,
          time(
              20,
              50,
              () -> {
                for (int i = 0; i < n; i++) {
                  eager.add(x, y).close();
                }
              }));
      Parameters p = e.createParameters(Map.of("w", HostTensor.zeros(4, 4)), java.util.Set.of("w"));
      LossFunction chain =
          (o, params, in) -> {
            Tensor t = params.get("w");
            for (int i = 0; i < n; i++) {
              t = o.add(t, in.get(0));
            }
            return LossOutput.of(o.sumAll(t));
          };
      try (TrainStep step =
          e.trainStep(p, chain, new dev.tandem.api.optim.Sgd(), new TrainStepOptions(0))) {
        List<HostTensor> in = List.of(HostTensor.zeros(4, 4));
        report(
            "(b) add [4,4], train step (forward + backward)",
            n,
            time(20, 50, () -> step.run(in, 0f)));
      }
    }
  }

  static void report(String what, int ops, double seconds) {
    System.out.printf("%s: %.2f us per op%n", what, seconds / ops * 1e6);
  }

  static Map<String, HostTensor> gptParams(Random r) {
    Map<String, HostTensor> p = new LinkedHashMap<>();
    p.put("wte", randn(r, 0.02f, V, C));
    p.put("wpe", randn(r, 0.01f, T, C));
    for (int l = 0; l < L; l++) {
      String s = "h." + l + ".";
      p.put(s + "ln_1.g", HostTensor.of(ones(C), C));
      p.put(s + "ln_1.b", HostTensor.zeros(C));
      p.put(s + "attn.w", randn(r, 0.02f, C, 3 * C));
      p.put(s + "attn.b", HostTensor.zeros(3 * C));
      p.put(s + "proj.w", randn(r, 0.02f, C, C));
      p.put(s + "proj.b", HostTensor.zeros(C));
      p.put(s + "ln_2.g", HostTensor.of(ones(C), C));
      p.put(s + "ln_2.b", HostTensor.zeros(C));
      p.put(s + "fc.w", randn(r, 0.02f, C, 4 * C));
      p.put(s + "fc.b", HostTensor.zeros(4 * C));
      p.put(s + "fc2.w", randn(r, 0.02f, 4 * C, C));
      p.put(s + "fc2.b", HostTensor.zeros(C));
    }
    p.put("ln_f.g", HostTensor.of(ones(C), C));
    p.put("ln_f.b", HostTensor.zeros(C));
    return p;
  }

  static float[] ones(int n) {
    float[] f = new float[n];
    java.util.Arrays.fill(f, 1f);
    return f;
  }

  static void adamW(Engine e) {
    Map<String, HostTensor> init = gptParams(new Random(2));
    Parameters p = e.createParameters(init, init.keySet());
    List<String> names = new ArrayList<>(init.keySet());
    LossFunction trivial =
        (o, params, in) -> {
          Tensor s = o.sumAll(params.get(names.get(0)));
          for (int i = 1; i < names.size(); i++) {
            s = o.add(s, o.sumAll(params.get(names.get(i))));
          }
          return LossOutput.of(o.mul(s, 1e-3f));
        };
    try (TrainStep step = e.trainStep(p, trivial, AdamW.defaults(), new TrainStepOptions(1f))) {
      double run = time(5, 30, () -> step.run(List.of(), 1e-4f));
      double eval = time(5, 30, () -> step.evaluate(List.of()));
      System.out.printf(
          "(c) AdamW + clipping over %d tensors (%d floats): step %.2f ms, of which the loss %.2f"
              + " ms%n",
          names.size(), p.count(true), run * 1e3, eval * 1e3);
    }
  }

  /** The GPT-2 loss over TensorOps: inputs ids [B,T], targets [B,T], causal mask [T,T]. */
  static final LossFunction GPT =
      (o, p, in) -> {
        int hd = C / H;
        Tensor x = o.add(o.embedding(p.get("wte"), in.get(0)), p.get("wpe"));
        Tensor negInf = o.scalar(-1e9f);
        for (int l = 0; l < L; l++) {
          String s = "h." + l + ".";
          Tensor h = o.layerNorm(x, p.get(s + "ln_1.g"), p.get(s + "ln_1.b"), 1e-5f);
          Tensor qkv = o.add(o.matmul(h, p.get(s + "attn.w")), p.get(s + "attn.b"));
          Tensor[] qkvs = new Tensor[3];
          for (int i = 0; i < 3; i++) {
            Tensor part = o.reshape(o.slice(qkv, -1, i * C, (i + 1) * C), B, T, H, hd);
            qkvs[i] = o.transpose(part, 0, 2, 1, 3);
          }
          Tensor att =
              o.mul(
                  o.matmul(qkvs[0], o.transpose(qkvs[1], 0, 1, 3, 2)), (float) (1 / Math.sqrt(hd)));
          att = o.softmax(o.where(in.get(2), att, negInf), -1);
          Tensor y = o.reshape(o.transpose(o.matmul(att, qkvs[2]), 0, 2, 1, 3), B, T, C);
          x = o.add(x, o.add(o.matmul(y, p.get(s + "proj.w")), p.get(s + "proj.b")));
          h = o.layerNorm(x, p.get(s + "ln_2.g"), p.get(s + "ln_2.b"), 1e-5f);
          h = o.gelu(o.add(o.matmul(h, p.get(s + "fc.w")), p.get(s + "fc.b")));
          x = o.add(x, o.add(o.matmul(h, p.get(s + "fc2.w")), p.get(s + "fc2.b")));
        }
        x = o.layerNorm(x, p.get("ln_f.g"), p.get("ln_f.b"), 1e-5f);
        Tensor logits = o.linear(x, p.get("wte"));
        Tensor lp = o.takeAlongLastAxis(o.logSoftmax(logits, -1), in.get(1));
        return LossOutput.of(o.neg(o.mean(o.reshape(lp, -1), 0, false)));
      };

  static List<HostTensor> gptBatch(Random r) {
    int[] ids = new int[B * T];
    int[] tg = new int[B * T];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(V);
      tg[i] = r.nextInt(V);
    }
    float[] mask = new float[T * T];
    for (int i = 0; i < T; i++) {
      for (int j = 0; j <= i; j++) {
        mask[i * T + j] = 1;
      }
    }
    return List.of(
        HostTensor.ofInts(ids, B, T), HostTensor.ofInts(tg, B, T), HostTensor.of(mask, T, T));
  }

  static void gpt(Engine e, double peak) {
    Map<String, HostTensor> init = gptParams(new Random(3));
    Parameters p = e.createParameters(init, init.keySet());
    List<HostTensor> batch = gptBatch(new Random(4));
    try (TrainStep step = e.trainStep(p, GPT, AdamW.defaults(), new TrainStepOptions(1f))) {
      double run = time(3, 15, () -> step.run(batch, 1e-4f));
      double eval = time(3, 15, () -> step.evaluate(batch));
      String profile = System.getProperty("tandem.bench.profile");
      if (profile != null) {
        ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
        for (int i = 0; i < 3; i++) {
          step.run(batch, 1e-4f);
        }
        ai.djl.pytorch.jni.JniUtils.stopProfile(profile);
      }
      long params = p.count(true);
      double flops = 6.0 * params * B * T;
      System.out.printf(
          "(d) GPT %d layers, d %d, %d heads, T %d, B %d (%d params): step %.1f ms (forward only"
              + " %.1f ms), %.0f tokens/s, %.1f GFLOP/s = %.0f%% of the matmul peak%n",
          L,
          C,
          H,
          T,
          B,
          params,
          run * 1e3,
          eval * 1e3,
          B * T / run,
          flops / run / 1e9,
          100 * flops / run / 1e9 / peak);
    }
  }
}
