package dev.tandem.cli;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.engine.TrainStep;
import dev.tandem.api.engine.TrainStepOptions;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Measures one engine in one run, so that the figures are ratios on the same machine state: the
 * engine's own fp32 matmul peak, SFT training throughput (and MFU against that peak), and
 * generation with and without the KV cache.
 */
final class Benchmark {
  private final Engine engine;
  private final CausalLM model;
  private final Map<String, HostTensor> weights;
  private final int batch;
  private final int seqLen;
  private final int threads;

  Benchmark(Engine engine, CausalLM model, Map<String, HostTensor> weights, int batch, int seqLen, int threads) {
    this.threads = threads;
    this.engine = engine;
    this.model = model;
    this.weights = weights;
    this.batch = batch;
    this.seqLen = seqLen;
  }

  Map<String, Object> run(int trainSteps, int newTokens) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("engine", engine.name());
    r.put("device", engine.device());
    r.put("threads", threads);
    double peak = matmulPeak();
    long params = weights.values().stream().mapToLong(w -> w.shape().size()).sum();
    double tps = trainTokensPerSecond(trainSteps);
    double trainGflops = 6.0 * params * tps / 1e9;
    r.put("parameters", params);
    r.put("matmul_gflops", round(peak));
    r.put("train_tokens_per_second", round(tps));
    r.put("train_gflops", round(trainGflops));
    r.put("mfu", round(trainGflops / peak));
    double[] gen = generation(newTokens);
    r.put("generate_tokens_per_second_cached", round(gen[0]));
    r.put("generate_tokens_per_second_naive", round(gen[1]));
    r.put("cached_over_naive", round(gen[0] / gen[1]));
    return r;
  }

  /** Best of a few square fp32 matmuls, as GFLOP/s. */
  double matmulPeak() {
    double best = 0;
    Parameters none = engine.createParameters(Map.of(), java.util.Set.of());
    try (CompiledFunction mm = engine.compile(none, (ops, p, in) -> List.of(ops.matmul(in.get(0), in.get(1))))) {
      for (int n : new int[] {256, 512, 1024}) {
        HostTensor a = random(n * n, 1, n, n);
        try (Tensor x = engine.upload(a); Tensor y = engine.upload(a)) {
          int reps = Math.max(3, (int) (2e9 / (2.0 * n * n * n)));
          for (int i = 0; i < 2; i++) {
            mm.call(List.of(x, y)).forEach(Tensor::close);
          }
          for (int trial = 0; trial < 3; trial++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) {
              List<Tensor> out = mm.call(List.of(x, y));
              if (i == reps - 1) {
                engine.download(out.get(0));
              }
              out.forEach(Tensor::close);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, 2.0 * n * n * n * reps / s / 1e9);
          }
        }
      }
    }
    return best;
  }

  double trainTokensPerSecond(int steps) {
    Parameters params = engine.createParameters(weights, weights.keySet());
    SftObjective sft = new SftObjective();
    LossFunction loss = (ops, p, in) -> sft.loss(ops, model, p, in);
    int v = model.config().vocabSize();
    Random rng = new Random(1);
    int[] ids = new int[batch * seqLen];
    int[] tgt = new int[batch * seqLen];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = rng.nextInt(Math.min(v, 256));
      tgt[i] = rng.nextInt(Math.min(v, 256));
    }
    float[] mask = new float[batch * seqLen];
    java.util.Arrays.fill(mask, 1f);
    List<HostTensor> in = List.of(HostTensor.ofInts(ids, batch, seqLen), HostTensor.ofInts(tgt, batch, seqLen), HostTensor.of(mask, batch, seqLen));
    try (TrainStep step = engine.trainStep(params, loss, AdamW.defaults(), new TrainStepOptions(1f))) {
      for (int i = 0; i < 3; i++) {
        step.run(in, 1e-4f);
      }
      // best of three windows, as for the matmul peak: noise from other processes only slows down
      double best = 0;
      int window = Math.max(1, steps / 3);
      for (int trial = 0; trial < 3; trial++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < window; i++) {
          step.run(in, 1e-4f);
        }
        double s = (System.nanoTime() - t0) / 1e9;
        best = Math.max(best, (double) batch * seqLen * window / s);
      }
      return best;
    }
  }

  /** Tokens per second with and without the KV cache: same prompts, greedy, no early stop. */
  double[] generation(int newTokens) {
    Parameters params = engine.createParameters(weights, java.util.Set.of());
    int ctx = model.config().nPositions();
    int promptLen = Math.max(1, Math.min(8, ctx - newTokens));
    int maxNew = Math.min(newTokens, ctx - promptLen);
    List<int[]> prompts = new ArrayList<>();
    Random rng = new Random(2);
    for (int b = 0; b < batch; b++) {
      int[] p = new int[promptLen];
      for (int i = 0; i < promptLen; i++) {
        p[i] = rng.nextInt(256);
      }
      prompts.add(p);
    }
    SamplingConfig greedy = SamplingConfig.greedy(maxNew);
    // eos -1: never stops early, so both runs generate exactly batch * maxNew tokens
    try (Generator cached = new Generator(engine, model, params, -1, 0);
        Generator naive = new Generator(engine, model, params, -1, 0)) {
      double c = 0;
      double n = 0;
      // best of three runs each (the first also warms up), interleaved so that noise hits both
      for (int trial = 0; trial < 3; trial++) {
        c = Math.max(c, timed(() -> cached.generate(prompts, greedy, batch), batch * maxNew));
        n = Math.max(n, timed(() -> naive.generateNaive(prompts, greedy, batch), batch * maxNew));
      }
      return new double[] {c, n};
    }
  }

  private static double timed(Runnable r, long tokens) {
    long t0 = System.nanoTime();
    r.run();
    return tokens / ((System.nanoTime() - t0) / 1e9);
  }

  private static HostTensor random(int n, long seed, int... shape) {
    Random rng = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return HostTensor.of(v, shape);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
