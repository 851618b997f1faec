package dev.tandem.engine.tensorflow;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput of the engine, not a test: disabled unless {@code -Dtandem.bench=true}. Prints (a)
 * fp32 matmul GFLOP/s for 1024^3 through a compiled function, the peak MFU is measured against,
 * (b) the project's reference GPT train step (4 layers, d_model 128, 4 heads, context 64,
 * vocabulary 261, batch 16, AdamW, SFT loss): ms per step, tokens/s and MFU = 6 * params * tokens
 * per second / peak, and (c) KV-cache generation tokens/s. Threads: {@code
 * -Dtandem.bench.threads} (default 2); XLA: {@code -Dtandem.tf.xla}; Grappler: {@code -Dtandem.tf.grappler}.
 *
 * <pre>mvn -o -q -B -pl api,engine-tensorflow -am verify -Dtest=TfBenchmark \
 *   -Dsurefire.failIfNoSpecifiedTests=false -Dtandem.bench=true</pre>
 */
@EnabledIfSystemProperty(named = "tandem.bench", matches = "true")
class TfBenchmark {
  private static final int THREADS = Integer.getInteger("tandem.bench.threads", 2);

  /** Runs the benchmark outside JUnit (class path: the test classes and their dependencies). */
  public static void main(String[] args) {
    new TfBenchmark().matmulAndGptTrainStep();
  }

  @Test
  void matmulAndGptTrainStep() {
    try (Engine e = new TfEngineProvider().create(new EngineOptions("cpu", THREADS))) {
      gptTrainStep(e);
      generation(e);
    }
  }

  /**
   * Times train steps interleaved with 1024^3 matmuls (every fourth step), so that both see the
   * same machine load: this machine's cores are shared and its speed varies by 2x.
   */
  static void gptTrainStep(Engine e) {
    ModelConfig c = ModelConfig.of(261, 4, 4, 128, 64);
    Gpt gpt = new Gpt(c);
    Map<String, HostTensor> w = gpt.initialWeights(0);
    Parameters p = e.createParameters(w, w.keySet());
    long params = p.count(true);
    int b = 16;
    int t = 64;
    Random r = new Random(2);
    int[] ids = new int[b * t];
    int[] targets = new int[b * t];
    float[] mask = new float[b * t];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = r.nextInt(256);
      targets[i] = r.nextInt(256);
      mask[i] = 1;
    }
    List<HostTensor> batch =
        List.of(HostTensor.ofInts(ids, b, t), HostTensor.ofInts(targets, b, t), HostTensor.of(mask, b, t));
    SftObjective sft = new SftObjective();
    int n = 1024;
    Parameters none = e.createParameters(Map.of(), Set.of());
    try (TrainStep step = e.trainStep(p, (o, pp, in) -> sft.loss(o, gpt, pp, in), AdamW.defaults(),
            new TrainStepOptions(1f));
        CompiledFunction mm = e.compile(none, (o, pp, in) -> List.of(o.matmul(in.get(0), in.get(1))));
        Tensor ma = e.upload(TfTestSupport.uniform(r, -1, 1, n, n));
        Tensor mb = e.upload(TfTestSupport.uniform(r, -1, 1, n, n))) {
      long t0 = System.nanoTime();
      step.run(batch, 1e-3f);
      double traceMs = (System.nanoTime() - t0) / 1e6;
      for (int i = 0; i < 10; i++) {
        step.run(batch, 1e-3f);
        mm.call(List.of(ma, mb)).forEach(Tensor::close);
      }
      int steps = Integer.getInteger("tandem.bench.steps", 60);
      double[] ms = new double[steps];
      double[] gflops = new double[(steps + 3) / 4];
      for (int i = 0; i < steps; i++) {
        long s0 = System.nanoTime();
        step.run(batch, 1e-3f);
        ms[i] = (System.nanoTime() - s0) / 1e6;
        if (i % 4 == 0) {
          s0 = System.nanoTime();
          mm.call(List.of(ma, mb)).forEach(Tensor::close);
          gflops[i / 4] = 2.0 * n * n * n / ((System.nanoTime() - s0) / 1e9) / 1e9;
        }
      }
      Arrays.sort(ms);
      Arrays.sort(gflops);
      double med = ms[steps / 2];
      double peakMed = gflops[gflops.length / 2];
      double peakMax = gflops[gflops.length - 1];
      double flops = 6.0 * params * b * t;
      System.out.printf(Locale.ROOT, "tensorflow matmul 1024^3 fp32, %d threads: median %.1f, best %.1f GFLOP/s%n",
          THREADS, peakMed, peakMax);
      System.out.printf(Locale.ROOT,
          "tensorflow GPT train step (%d params, %d tokens, %d threads, xla %s): first step %.0f ms (trace"
              + " and compile), median %.1f ms, best %.1f ms, %.0f tokens/s (median); MFU %.2f (median step /"
              + " median peak), %.2f (best step / best peak)%n",
          params, b * t, THREADS, TfEngineProvider.xlaEnabled(), traceMs, med, ms[0], b * t / (med / 1e3),
          flops / (med / 1e3) / 1e9 / peakMed, flops / (ms[0] / 1e3) / 1e9 / peakMax);
    }
  }

  /** KV-cache generation with the reference GPT: 32 prompts, 48 new tokens, batches of 16. */
  static void generation(Engine e) {
    Gpt gpt = new Gpt(ModelConfig.of(261, 4, 4, 128, 64));
    Parameters p = e.createParameters(gpt.initialWeights(0), Set.of());
    Random r = new Random(3);
    List<int[]> prompts = new java.util.ArrayList<>();
    for (int i = 0; i < 32; i++) {
      int[] t = new int[8 + r.nextInt(8)];
      for (int j = 0; j < t.length; j++) {
        t[j] = r.nextInt(256);
      }
      prompts.add(t);
    }
    try (Generator g = new Generator(e, gpt, p, 260, 259)) {
      var cfg = new SamplingConfig(48, 1f, 0, 1f, 7);
      long t0 = System.nanoTime();
      long n0 = g.generatedTokens();
      g.generate(prompts, cfg, 16);
      double first = (System.nanoTime() - t0) / 1e9;
      long n1 = g.generatedTokens();
      t0 = System.nanoTime();
      g.generate(prompts, cfg, 16);
      double second = (System.nanoTime() - t0) / 1e9;
      System.out.printf(Locale.ROOT, "tensorflow generation (KV cache, batch 16): first run %.2f s (%d tokens,"
          + " traces included), then %.0f tokens/s%n", first, n1 - n0, (g.generatedTokens() - n1) / second);
    }
  }
}
