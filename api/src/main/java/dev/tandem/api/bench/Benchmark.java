package dev.tandem.api.bench;

import dev.tandem.api.engine.CompiledFunction;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.LossFunction;
import dev.tandem.api.engine.OpProfile;
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
 * generation with and without the KV cache; and generation of other models (a composition's bases,
 * a baseline) against the same prompts, interleaved, for time ratios.
 */
public final class Benchmark {
  /** A model to time: its network and its parameters on the engine. */
  public record Subject(String name, CausalLM model, Parameters params) {}

  private final Engine engine;
  private final Subject subject;
  private final int batch;
  private final int seqLen;
  private final int threads;

  public Benchmark(Engine engine, Subject subject, int batch, int seqLen, int threads) {
    this.threads = threads;
    this.engine = engine;
    this.subject = subject;
    this.batch = batch;
    this.seqLen = seqLen;
  }

  /** Engine, device and threads: the first fields of every result. */
  public Map<String, Object> header() {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("engine", engine.name());
    r.put("device", engine.device());
    r.put("threads", threads);
    return r;
  }

  /** The engine's matmul peak, training throughput and MFU, and generation with and without the KV cache. */
  public Map<String, Object> run(int trainSteps, int newTokens) {
    Map<String, Object> r = header();
    double peak = matmulPeak(List.of(new int[] {batch * seqLen, subject.model().config().nEmbd(), subject.model().config().vocabSize()}));
    Parameters p = subject.params();
    long params = p.count(false);
    long trainable = p.count(true);
    double tps = trainTokensPerSecond(trainSteps);
    // forward 2N and backward through activations 2N for every weight, weight gradients 2N for the
    // trainable ones: 6N for a plain model, less for a composition with frozen bases
    double trainGflops = (4.0 * params + 2.0 * trainable) * tps / 1e9;
    r.put("parameters", params);
    r.put("trainable_parameters", trainable);
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

  /** Best of square fp32 matmuls of 256, 512, 1024 and 2048, as GFLOP/s. */
  public double matmulPeak() {
    return matmulPeak(List.of());
  }

  /**
   * Best of square fp32 matmuls of 256, 512, 1024 and 2048 and of {@code products} ({@code {m, k,
   * n}}: {@code [m, k] x [k, n]}, e.g. a model's own largest products, which can run faster than any
   * square one), as GFLOP/s: the peak an MFU is measured against.
   */
  public double matmulPeak(List<int[]> products) {
    List<int[]> shapes = new java.util.ArrayList<>();
    for (int n : new int[] {256, 512, 1024, 2048}) {
      shapes.add(new int[] {n, n, n});
    }
    shapes.addAll(products);
    double best = 0;
    Parameters none = engine.createParameters(Map.of(), java.util.Set.of());
    try (CompiledFunction mm = engine.compile(none, (ops, p, in) -> List.of(ops.matmul(in.get(0), in.get(1))))) {
      for (int[] s : shapes) {
        int m = s[0];
        int k = s[1];
        int n = s[2];
        double flops = 2.0 * m * k * n;
        try (Tensor x = engine.upload(random(m * k, 1, m, k)); Tensor y = wide(k, n)) {
          int reps = Math.max(3, (int) (2e9 / flops));
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
            double secs = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, flops * reps / secs / 1e9);
          }
        }
      }
    }
    return best;
  }

  /**
   * A random {@code [k, n]} matrix made on the engine from a {@code [k, <= 512]} block repeated
   * along its columns, so that a vocabulary-wide probe does not leave a host array of its size
   * behind (it would count in the peak RSS that the same run reports).
   */
  private Tensor wide(int k, int n) {
    int block = 512;
    if (n <= block) {
      return engine.upload(random(k * n, 2, k, n));
    }
    Parameters none = engine.createParameters(Map.of(), java.util.Set.of());
    try (Tensor b = engine.upload(random(k * block, 2, k, block));
        CompiledFunction tile = engine.compile(none, (ops, p, in) -> {
          List<Tensor> parts = new java.util.ArrayList<>();
          for (int c = 0; c < n; c += block) {
            parts.add(in.get(0));
          }
          Tensor all = ops.concat(parts, 1);
          return List.of(all.shape().dim(1) == n ? all : ops.slice(all, 1, 0, n));
        })) {
      return tile.call(List.of(b)).get(0);
    }
  }

  /**
   * SFT steps on random tokens with the subject's parameters (its trainable set; the values change,
   * which does not matter for timing).
   */
  double trainTokensPerSecond(int steps) {
    CausalLM model = subject.model();
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
    try (TrainStep step = engine.trainStep(subject.params(), loss, AdamW.defaults(), new TrainStepOptions(1f))) {
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
    List<int[]> prompts = prompts(subject.model(), newTokens);
    SamplingConfig greedy = SamplingConfig.greedy(maxNew(subject.model(), newTokens));
    long tokens = (long) batch * greedy.maxNewTokens();
    // eos -1: never stops early, so both runs generate exactly batch * maxNew tokens
    try (Generator cached = new Generator(engine, subject.model(), subject.params(), -1, 0);
        Generator naive = new Generator(engine, subject.model(), subject.params(), -1, 0)) {
      double c = 0;
      double n = 0;
      // best of three runs each (the first also warms up), interleaved so that noise hits both
      for (int trial = 0; trial < 3; trial++) {
        c = Math.max(c, tokens / timed(() -> cached.generate(prompts, greedy, batch)));
        n = Math.max(n, tokens / timed(() -> naive.generateNaive(prompts, greedy, batch)));
      }
      return new double[] {c, n};
    }
  }

  /**
   * Seconds of cached generation for the subject and each other model on the same prompts and
   * number of tokens (the shortest context decides it), after a warm-up run of each: {@code
   * [trial][model]}, model 0 the subject. The models take turns within a trial, so that a ratio of
   * times within one trial compares them under the same machine load.
   */
  public double[][] generationSeconds(List<Subject> others, int newTokens, int trials) {
    Workload w = workload(others, newTokens);
    List<Subject> all = w.models();
    List<int[]> prompts = w.prompts();
    SamplingConfig greedy = w.greedy();
    List<Generator> gens = new ArrayList<>();
    try {
      for (Subject s : all) {
        gens.add(new Generator(engine, s.model(), s.params(), -1, 0));
      }
      double[][] seconds = new double[trials][all.size()];
      for (int trial = -1; trial < trials; trial++) {
        for (int i = 0; i < all.size(); i++) {
          Generator g = gens.get(i);
          double s = timed(() -> g.generate(prompts, greedy, batch));
          if (trial >= 0) {
            seconds[trial][i] = s;
          }
        }
      }
      return seconds;
    } finally {
      gens.forEach(Generator::close);
    }
  }

  /**
   * Profiled cached generation of the subject and of each other model on {@link
   * #generationSeconds}'s prompts, after a profiled warm-up run of each: {@code [model]}, model 0 the
   * subject, each the least per op over {@link #PROFILED_RUNS} runs ({@link OpProfile#leastOf};
   * empty when the engine has no profiler). The profiler adds its own cost to every op call: compare
   * models within the result, not with {@link #generationSeconds}.
   */
  public List<Profiled> generationProfiles(List<Subject> others, int newTokens) {
    Workload w = workload(others, newTokens);
    List<int[]> prompts = w.prompts();
    SamplingConfig greedy = w.greedy();
    List<Profiled> out = new ArrayList<>();
    for (Subject s : w.models()) {
      try (Generator g = new Generator(engine, s.model(), s.params(), -1, 0)) {
        // a profiled warm-up: the profiler's own first run costs more than the ones after it
        if (engine.profile(() -> g.generate(prompts, greedy, batch)).isEmpty()) {
          out.add(new Profiled(s.name(), java.util.Optional.empty())); // no profiler: no more runs
          continue;
        }
        List<OpProfile> runs = new ArrayList<>();
        for (int i = 0; i < PROFILED_RUNS; i++) {
          engine.profile(() -> g.generate(prompts, greedy, batch)).ifPresent(runs::add);
        }
        out.add(new Profiled(s.name(), runs.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(OpProfile.leastOf(runs))));
      }
    }
    return out;
  }

  /**
   * A model's profiled run.
   *
   * @param name the subject's name
   * @param profile the engine's op profile, if it has a profiler
   */
  public record Profiled(String name, java.util.Optional<OpProfile> profile) {}

  /** Profiled runs per model in {@link #generationProfiles}, after the warm-up. */
  public static final int PROFILED_RUNS = 3;

  /** The median of per-trial values. */
  public static double median(double[] values) {
    double[] v = values.clone();
    java.util.Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  /** Tokens generated per call of {@link #generationSeconds}. */
  public long generationTokens(List<Subject> others, int newTokens) {
    return (long) batch * workload(others, newTokens).greedy().maxNewTokens();
  }

  /** The subject and {@code others}, the prompts and the greedy config they are all run with. */
  private record Workload(List<Subject> models, List<int[]> prompts, SamplingConfig greedy) {}

  /** The shortest context of the subject and {@code others} decides the prompt length and the new tokens. */
  private Workload workload(List<Subject> others, int newTokens) {
    List<Subject> all = new ArrayList<>();
    all.add(subject);
    all.addAll(others);
    int ctx = Integer.MAX_VALUE;
    for (Subject s : all) {
      ctx = Math.min(ctx, s.model().config().nPositions());
    }
    int promptLen = Math.max(1, Math.min(8, ctx - newTokens));
    return new Workload(all, randomPrompts(promptLen), SamplingConfig.greedy(Math.min(newTokens, ctx - promptLen)));
  }

  private List<int[]> prompts(CausalLM model, int newTokens) {
    int ctx = model.config().nPositions();
    return randomPrompts(Math.max(1, Math.min(8, ctx - newTokens)));
  }

  private static int maxNew(CausalLM model, int newTokens) {
    int ctx = model.config().nPositions();
    int promptLen = Math.max(1, Math.min(8, ctx - newTokens));
    return Math.min(newTokens, ctx - promptLen);
  }

  private List<int[]> randomPrompts(int promptLen) {
    List<int[]> prompts = new ArrayList<>();
    Random rng = new Random(2);
    for (int b = 0; b < batch; b++) {
      int[] p = new int[promptLen];
      for (int i = 0; i < promptLen; i++) {
        p[i] = rng.nextInt(256);
      }
      prompts.add(p);
    }
    return prompts;
  }

  private static double timed(Runnable r) {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static HostTensor random(int n, long seed, int... shape) {
    Random rng = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rng.nextGaussian();
    }
    return HostTensor.of(v, shape);
  }

  public static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  /**
   * Times generation of the subject against a composition's bases and/or a baseline on the same
   * prompts, interleaved ({@link #generationSeconds}), and adds to {@code r}: {@code
   * compared_tokens}, {@code compared_trials}, {@code compared_generate_tokens_per_second}; with
   * bases, {@code composition}, {@code generate_tokens_per_second_<base>}, {@code
   * generate_time_over_anchor} and {@code generate_time_over_bases_separately}; with a baseline,
   * {@code baseline_generate_tokens_per_second} and {@code generate_time_over_baseline}. Tokens per
   * second: each model's best run; time ratios: the median over trials of the ratio within a trial
   * (the models take turns, so both sides see the same load).
   *
   * @param strategy the composition's strategy, or null when {@code bases} is empty
   * @param bases the composition's bases, the anchor first (possibly empty)
   * @param baseline a baseline model, or null
   */
  public void compare(Map<String, Object> r, String strategy, List<Subject> bases, Subject baseline, int newTokens, int trials) {
    List<Subject> others = new ArrayList<>(bases);
    int nBases = bases.size();
    if (baseline != null) {
      others.add(baseline);
    }
    if (others.isEmpty()) {
      return;
    }
    double[][] seconds = generationSeconds(others, newTokens, trials);
    long tokens = generationTokens(others, newTokens);
    double[] best = new double[others.size() + 1];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    for (double[] trial : seconds) {
      for (int i = 0; i < best.length; i++) {
        best[i] = Math.min(best[i], trial[i]);
      }
    }
    r.put("compared_tokens", tokens);
    r.put("compared_trials", trials);
    r.put("compared_generate_tokens_per_second", round(tokens / best[0]));
    if (nBases > 0) {
      r.put("composition", strategy);
      double[] overAnchor = new double[trials];
      double[] overSeparate = new double[trials];
      for (int t = 0; t < trials; t++) {
        double sum = 0;
        for (int i = 0; i < nBases; i++) {
          sum += seconds[t][i + 1];
        }
        overAnchor[t] = seconds[t][0] / seconds[t][1];
        overSeparate[t] = seconds[t][0] / sum;
      }
      for (int i = 0; i < nBases; i++) {
        r.put("generate_tokens_per_second_" + others.get(i).name(), round(tokens / best[i + 1]));
      }
      r.put("generate_time_over_anchor", round(median(overAnchor)));
      r.put("generate_time_over_bases_separately", round(median(overSeparate)));
    }
    if (baseline != null) {
      int b = others.size();
      double[] over = new double[trials];
      for (int t = 0; t < trials; t++) {
        over[t] = seconds[t][0] / seconds[t][b];
      }
      r.put("baseline_generate_tokens_per_second", round(tokens / best[b]));
      r.put("generate_time_over_baseline", round(median(over)));
    }
  }
}
