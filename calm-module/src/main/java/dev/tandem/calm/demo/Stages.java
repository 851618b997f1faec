package dev.tandem.calm.demo;

import dev.tandem.api.bench.Benchmark;
import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.ComposedModel;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.ExperimentContext;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.calm.kv.KvArithmetic;
import dev.tandem.api.train.LrSchedule;
import dev.tandem.api.train.SequenceData;
import dev.tandem.api.train.TrainerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The steps of the CALM experiment through the facade, each on a new engine with one thread unless
 * the user chose a number (as the CLI's commands it replaces ran them: {@code init}, {@code sft},
 * {@code compose}, {@code eval}, {@code bench --compare-only}, with their defaults), and the timing
 * of named stages.
 */
final class Stages {
  /** Timed generation: prompts per batch and new tokens (bench's defaults). */
  static final int BENCH_BATCH = 16;
  static final int BENCH_NEW_TOKENS = 48;

  private final ExperimentContext ctx;
  private final Tandem tandem;
  private final PrintWriter out;
  private final int batchSize;
  private long seed;
  private String prefix = "";
  private String engineName;
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  Stages(ExperimentContext ctx) {
    this.ctx = ctx;
    this.tandem = ctx.tandem();
    this.out = ctx.out();
    this.batchSize = ctx.options().getInt("batch-size");
    this.seed = ctx.options().getLong("seed");
  }

  /** The seed of the runs that follow (initial connection weights, data order), and the prefix of their stage names. */
  void seed(long s, String stagePrefix) {
    this.seed = s;
    this.prefix = stagePrefix;
  }

  /** The engine's name, once a stage has opened one. */
  String engineName() {
    return engineName;
  }

  /** The intra-op threads every stage runs with. */
  int threads() {
    return ctx.threads(1);
  }

  private Engine engine() {
    Engine e = ctx.engine(1);
    engineName = e.name();
    return e;
  }

  @FunctionalInterface
  interface Stage {
    void run() throws Exception;
  }

  /** Runs a stage between a start and an end line, and records its time. */
  void stage(String stageName, Stage s) throws Exception {
    String name = prefix + stageName;
    out.printf("demo calm: %s%n", name);
    out.flush();
    long t = System.nanoTime();
    s.run();
    double secs = (System.nanoTime() - t) / 1e9;
    seconds.put(name, Math.round(secs * 10) / 10.0);
    out.printf("demo calm: %s took %.1f s%n", name, secs);
    out.flush();
  }

  /** A line of progress. */
  void note(String line) {
    out.printf("demo calm: %s%s%n", prefix, line);
    out.flush();
  }

  /** Seconds per stage, in order. */
  Map<String, Double> seconds() {
    return seconds;
  }

  /** A new model directory of the experiment's shape, initialised from {@code initSeed}. */
  void init(Path dir, long initSeed) throws IOException {
    var o = ctx.options();
    Tokenizer tokenizer = tandem.tokenizer();
    ModelConfig config = ModelConfig.of(tokenizer.vocabSize(), o.getInt("layers"), o.getInt("heads"), o.getInt("d-model"), o.getInt("context"));
    ModelDirectory.save(dir, config, tokenizer, new Gpt(config).initialWeights(initSeed));
  }

  /** SFT of {@code model} on {@code data} into {@code output}, the data in the order of {@code orderSeed}. */
  void sft(String name, Path model, Path data, Path output, long steps, float lr, long orderSeed) throws Exception {
    try (Engine engine = engine()) {
      train(name, engine, tandem.loadModel(engine, model, true), data, output, steps, lr, orderSeed, 0);
    }
  }

  /**
   * SFT of {@code model} on {@code data} into {@code output}, writing a checkpoint every {@code
   * saveEvery} steps (0: only the last) for a choice on the validation split.
   */
  void sftWithCheckpoints(String name, Path model, Path data, Path output, long steps, float lr, int saveEvery) throws Exception {
    try (Engine engine = engine()) {
      train(name, engine, tandem.loadModel(engine, model, true), data, output, steps, lr, seed, saveEvery);
    }
  }

  /**
   * A new composition trained on {@code data} into {@code output}, with a checkpoint every {@code
   * saveEvery} steps (0: only the last).
   */
  void compose(String strategy, Path anchor, List<Path> augments, Map<String, String> options, Path data, Path output, long steps, float lr, int saveEvery)
      throws Exception {
    try (Engine engine = engine()) {
      LoadedModel lm = tandem.compose(engine, strategy, anchor, augments, options, seed);
      ComposedModel composed = lm.composition().orElseThrow();
      out.printf("compose: %s, %s; %,d trainable parameters of %,d%n", strategy, composed.settings(), lm.params().count(true), lm.params().count(false));
      train(strategy, engine, lm, data, output, steps, lr, seed, saveEvery);
    }
  }

  /** The composition in {@code composition} (a directory or one of its checkpoints) merged into one model directory, {@code output}. */
  void merge(Path composition, Path output) throws Exception {
    try (Engine engine = engine()) {
      LoadedModel lm = tandem.loadModel(engine, composition, false);
      lm.composition().orElseThrow(() -> new IllegalArgumentException(composition + " is not a composition")).saveMerged(output, lm.params().readAll());
    }
  }

  /** SFT with the defaults of {@code tandem sft}: AdamW, cosine schedule, 5% warmup, clipping at 1. */
  private void train(String name, Engine engine, LoadedModel lm, Path data, Path output, long steps, float lr, long orderSeed, int saveEvery)
      throws Exception {
    List<Example> train = usable(tandem.examples(lm, data, skips(data)), data);
    TrainerConfig config = new TrainerConfig(steps, 1, lr, LrSchedule.Kind.COSINE, 0.05f, 1.0f, 100, 0, saveEvery, 0);
    tandem.trainer(engine, lm, tandem.objective("sft"), new AdamW(0.9f, 0.999f, 1e-8f, 0.0f), config, orderSeed, output)
        .addListener(ctx.progress(name))
        .train(new SequenceData(train, tandem.batcher(lm, batchSize), batchSize, orderSeed), List.of(), false);
  }

  /**
   * Greedy answers of {@code model} to each task's prompts (in the model's prompt template, as
   * {@code eval} reads them), up to one token more than the longest reference.
   */
  Map<String, List<String>> answers(Path model, Map<String, List<KvArithmetic.Item>> tasks) throws Exception {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try (Engine engine = engine()) {
      LoadedModel lm = tandem.loadModel(engine, model, false);
      for (var t : tasks.entrySet()) {
        int longest = 1;
        List<String> prompts = new ArrayList<>();
        for (KvArithmetic.Item it : t.getValue()) {
          longest = Math.max(longest, lm.tokenizer().encode(it.completion()).length);
          prompts.add(it.prompt());
        }
        out.put(t.getKey(), tandem.generate(engine, lm, prompts, SamplingConfig.greedy(longest + 1), false));
      }
    }
    return out;
  }

  /**
   * Cached generation of {@code model} timed against its bases (a composition) and/or {@code
   * baseline}: {@link Benchmark#compare}'s fields after the engine, device and threads; with {@code
   * profile}, also one profiled generation of each ({@link Benchmark#generationProfiles}) under
   * {@code "profiles"}.
   */
  Map<String, Object> bench(Path model, Path baseline, int trials, boolean profile) throws Exception {
    int threads = 1;
    try (Engine engine = ctx.engine(threads)) {
      LoadedModel lm = tandem.loadModel(engine, model, true);
      Benchmark.Subject subject = new Benchmark.Subject("model", lm.model(), lm.params());
      int seq = Math.min(64, subject.model().config().nPositions());
      Benchmark bench = new Benchmark(engine, subject, BENCH_BATCH, seq, threads);
      Map<String, Object> r = bench.header();
      List<Benchmark.Subject> bases = new ArrayList<>();
      if (lm.composition().isPresent()) {
        for (BaseModel b : lm.composition().get().bases()) {
          LoadedModel base = tandem.loadModel(engine, b.path(), false);
          bases.add(new Benchmark.Subject(b.label(), base.model(), base.params()));
        }
      }
      Benchmark.Subject base = null;
      if (baseline != null) {
        LoadedModel b = tandem.loadModel(engine, baseline, false);
        base = new Benchmark.Subject("baseline", b.model(), b.params());
      }
      bench.compare(r, lm.composition().map(ComposedModel::strategy).orElse(null), bases, base, BENCH_NEW_TOKENS, trials);
      if (profile) {
        List<Benchmark.Subject> others = new ArrayList<>(bases);
        if (base != null) {
          others.add(base);
        }
        r.put("profiles", bench.generationProfiles(others, BENCH_NEW_TOKENS));
      }
      return r;
    }
  }

  private SkipReport skips(Path data) {
    return SkipReport.collecting();
  }

  private <T> List<T> usable(List<T> items, Path file) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException(file + ": no usable examples");
    }
    return items;
  }
}
