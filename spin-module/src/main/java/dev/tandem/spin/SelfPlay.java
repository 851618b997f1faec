package dev.tandem.spin;

import dev.tandem.api.compose.Compositions;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.generate.Generator;
import dev.tandem.api.generate.SamplingConfig;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.Checkpoints;
import dev.tandem.api.train.Evaluation;
import dev.tandem.api.train.MetricsLog;
import dev.tandem.api.train.PreferenceData;
import dev.tandem.api.train.ReferenceLogProbs;
import dev.tandem.api.train.Trainer;
import dev.tandem.api.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The self-play loop of SPIN. For t = 0..T-1, with θ_0 the starting (SFT) model:
 *
 * <ol>
 *   <li>θ_t generates one response per training prompt (and per evaluation prompt): batched, with
 *       the KV cache and the training prompt template;
 *   <li>right after, still with θ_t, the reference log-probs of the real and generated responses
 *       are computed (so training holds one model, not two) and the pairs are saved in {@code
 *       iter-<t>-train/pairs.jsonl};
 *   <li>θ_{t+1} is trained from θ_t for the configured epochs on the pairs of iteration t and, when
 *       mixing, iteration t-1's generations (re-scored by θ_t, the reference of this iteration);
 *   <li>θ_{t+1} is evaluated: the objective's metrics on the evaluation pairs (real response against
 *       θ_t's generation), the NLL of the real evaluation responses and optionally greedy exact
 *       match;
 *   <li>one line goes to {@code metrics.jsonl} and θ_{t+1} is saved atomically as the model
 *       directory {@code iter-<t>/}.
 * </ol>
 *
 * <p>Resuming skips finished iterations (a complete {@code iter-<t>/}), reuses an iteration's saved
 * pairs and continues its training from the newest checkpoint in {@code iter-<t>-train/}.
 *
 * <p>The top-level {@code metrics.jsonl} has one line for the starting model ({@code "stage":
 * "sft"}) and one per iteration ({@code "iteration": t, "stage": "iter<t>"}) with the generation
 * throughput ({@code generated_tokens_per_second}), the last training window ({@code train_*}) and
 * the evaluation ({@code eval_*}); each iteration's step-by-step log is {@code
 * iter-<t>-train/metrics.jsonl}.
 */
public final class SelfPlay {
  /** The top-level metrics file. */
  public static final String METRICS = "metrics.jsonl";
  /** An iteration's pairs, in its training directory. */
  public static final String PAIRS = "pairs.jsonl";
  /** An iteration's evaluation pairs, in its training directory. */
  public static final String EVAL_PAIRS = "eval_pairs.jsonl";
  /** An iteration's generation statistics, in its training directory. */
  public static final String GENERATION = "generation.json";

  /** Observes the loop (progress output); every method defaults to a no-op. */
  public interface Listener {
    /** A line of progress, e.g. {@code iter0: generated 12,345 tokens (8,000 tokens/s)}. */
    default void onMessage(String message) {}

    /** A listener for the trainer of {@code iteration}, or null. */
    default TrainingListener training(int iteration) {
      return null;
    }

    /** A stage line was appended to {@code metrics.jsonl}. */
    default void onStage(Map<String, Object> line) {}
  }

  /**
   * What a run reports.
   *
   * @param stages the stage lines of {@code metrics.jsonl}: the start model, then iteration 0, 1, ...
   * @param resumedAt the first iteration this call ran (T when all were done before)
   * @param skipped the prompts left out, and why
   */
  public record Result(List<Map<String, Object>> stages, int resumedAt, SkipReport skipped) {}

  private final Tandem tandem;
  private final Engine engine;
  private final LoadedModel start;
  private final SpinConfig config;
  private final Path output;
  private final List<Listener> listeners = new ArrayList<>();

  /**
   * @param tandem the facade that builds each iteration's trainer (with its bound listener)
   * @param start θ_0 on {@code engine}, with trainable parameters: it becomes θ_1, θ_2, ... in
   *     place. A composition (CALM, LoRA) trains its new parameters only; {@code iter-<t>/} are then
   *     composed model directories over the same bases
   * @param output the run directory
   */
  public SelfPlay(Tandem tandem, Engine engine, LoadedModel start, SpinConfig config, Path output) {
    this.tandem = tandem;
    this.engine = engine;
    this.start = start;
    this.config = config;
    this.output = output;
  }

  public SelfPlay addListener(Listener l) {
    listeners.add(l);
    return this;
  }

  /** The model directory of iteration {@code t}'s result, θ_{t+1}. */
  public static Path iterationDir(Path output, int t) {
    return output.resolve("iter-" + t);
  }

  /** The working directory of iteration {@code t}: pairs, checkpoints, step metrics. */
  public static Path trainDir(Path output, int t) {
    return output.resolve("iter-" + t + "-train");
  }

  /** Whether {@code iter-<t>/} is a complete model directory (plain or composed). */
  public static boolean finished(Path output, int t) {
    return LoadedModel.isComplete(iterationDir(output, t));
  }

  /**
   * The evaluation pairs of iteration {@code t} (real response against θ_t's generation, with θ_t's
   * reference log-probs), as saved by a run: for evaluating other models against the same opponent.
   */
  public static List<PreferencePair> evalPairs(Path output, int t, List<Example> eval) throws IOException {
    return SyntheticPairs.read(trainDir(output, t).resolve(EVAL_PAIRS), eval).stream().map(SyntheticPairs.Entry::pair).toList();
  }

  /**
   * Runs (or resumes) the loop.
   *
   * @param train the SFT examples whose prompts are played and whose completions are the real
   *     responses (already fitted to the context)
   * @param eval held-out examples, possibly empty
   * @param skips where prompts that cannot be generated for within the context go (strict: an error
   *     naming the line)
   * @param resume continue a run in {@code output}; without it, {@code output} must hold no run
   */
  public Result run(List<Example> train, List<Example> eval, SkipReport skips, boolean resume) throws IOException {
    Files.createDirectories(output);
    MetricsLog metrics = new MetricsLog(output.resolve(METRICS));
    if (!resume && (Files.exists(metrics.file()) || finished(output, 0) || Files.isDirectory(trainDir(output, 0)))) {
      throw new IllegalArgumentException(output + " already holds a SPIN run: pass --resume to continue it, or choose a new output directory");
    }
    int ctx = start.config().nPositions();
    int maxNew = maxNewTokens(train, eval, ctx);
    train = fitting(train, maxNew, ctx, skips);
    eval = fitting(eval, maxNew, ctx, skips);
    if (train.isEmpty()) {
      throw new IllegalArgumentException("no training prompt fits the context of " + ctx + " tokens with max-new-tokens " + maxNew);
    }
    if (!skips.isEmpty()) {
      message("spin: " + skips);
    }

    int first = 0;
    while (first < config.iterations() && finished(output, first)) {
      first++;
    }
    List<Map<String, Object>> stages = keepStages(metrics, first);
    if (first > 0) {
      message("spin: iterations 0.." + (first - 1) + " are done; resuming at iteration " + first);
    }
    for (int t = 0; t < first; t++) {
      cleanUp(t);
    }
    Parameters params = start.params();
    if (stages.stream().noneMatch(l -> "sft".equals(l.get("stage")))) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("stage", "sft");
      evaluateModel(eval, line);
      append(metrics, line, stages);
    }
    for (int t = first; t < config.iterations(); t++) {
      long t0 = System.nanoTime();
      if (t == 0) {
        start.restoreInitial(); // a new LoRA adapter's initial values live in memory only
      } else {
        start.restore(iterationDir(output, t - 1));
      }
      Path work = trainDir(output, t);
      Files.createDirectories(work);
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("iteration", t);
      line.put("stage", "iter" + t);

      List<SyntheticPairs.Entry> pairs;
      List<PreferencePair> evalPairs;
      Path pairsFile = work.resolve(PAIRS);
      if (Files.isRegularFile(pairsFile) && (eval.isEmpty() || Files.isRegularFile(work.resolve(EVAL_PAIRS)))) {
        pairs = SyntheticPairs.read(pairsFile, train);
        evalPairs = eval.isEmpty() ? List.of() : evalPairs(output, t, eval);
        line.putAll(readGeneration(work));
        message("iter" + t + ": reusing the " + pairs.size() + " pairs saved in " + pairsFile);
      } else {
        Generated g = generateAndScore(t, train, eval, maxNew);
        pairs = g.train;
        evalPairs = g.eval;
        line.putAll(g.stats);
        SyntheticPairs.write(pairsFile, pairs, start.tokenizer());
        if (!eval.isEmpty()) {
          SyntheticPairs.write(work.resolve(EVAL_PAIRS), g.evalEntries, start.tokenizer());
        }
        writeGeneration(work, g.stats);
      }
      line.put("pairs", pairs.size());

      if (pairs.isEmpty()) {
        // SPIN's fixed point: the opponent reproduces every real response, nothing is left to learn
        message("iter" + t + ": every generated response equals the real one; θ_" + (t + 1) + " = θ_" + t);
        line.put("train_steps", 0L);
      } else {
        train(t, work, pairs, line);
      }

      evaluatePairs(evalPairs, line);
      evaluateModel(eval, line);
      line.put("seconds", Math.round((System.nanoTime() - t0) / 1e7) / 100.0);
      append(metrics, line, stages);
      start.save(iterationDir(output, t));
      cleanUp(t);
      message("iter" + t + ": saved " + iterationDir(output, t));
    }
    return new Result(stages, first, skips);
  }

  private void train(int t, Path work, List<SyntheticPairs.Entry> pairs, Map<String, Object> line) throws IOException {
    Trainer trainer = tandem.trainer(engine, start, config.objective(), config.optimizer(), config.training(), config.seed() + t, work);
    for (Listener l : listeners) {
      TrainingListener tl = l.training(t);
      if (tl != null) {
        trainer.addListener(tl);
      }
    }
    PreferenceData data = new PreferenceData(pairs.stream().map(SyntheticPairs.Entry::pair).toList(), preferenceBatcher(), config.seed() + t);
    Trainer.Result r = trainer.train(data, List.of(), Checkpoints.latest(work).isPresent());
    line.put("train_steps", r.steps());
    lastTrainingWindow(work, line);
  }

  // ---- generation and reference log-probs ------------------------------------------------------

  private record Generated(
      List<SyntheticPairs.Entry> train, List<PreferencePair> eval, List<SyntheticPairs.Entry> evalEntries, Map<String, Object> stats) {}

  private Generated generateAndScore(int t, List<Example> train, List<Example> eval, int maxNew) throws IOException {
    Tokenizer tok = start.tokenizer();
    Parameters params = start.params();
    SamplingConfig sampling = new SamplingConfig(maxNew, config.temperature(), 0, config.topP(), config.seed() + 1000L * t);
    message("iter" + t + ": θ_" + t + " generates " + train.size() + " + " + eval.size() + " responses (max " + maxNew + " tokens, temperature " + config.temperature() + ")");
    List<int[]> trainOut;
    List<int[]> evalOut;
    long tokens;
    double seconds;
    long t0 = System.nanoTime();
    try (Generator g = new Generator(engine, start.model(), params, tok.eosId(), tok.padId(), tok.vocabSize())) {
      trainOut = g.generate(prompts(train), sampling, config.generationBatchSize());
      evalOut = eval.isEmpty() ? List.of() : g.generate(prompts(eval), sampling, config.generationBatchSize());
      tokens = g.generatedTokens();
    }
    seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> stats = new LinkedHashMap<>();
    stats.put("generated_responses", trainOut.size() + evalOut.size());
    stats.put("generated_tokens", tokens);
    stats.put("generation_seconds", round(seconds));
    stats.put("generated_tokens_per_second", round(tokens / Math.max(seconds, 1e-9)));
    stats.put("max_new_tokens", maxNew);
    message(String.format("iter%d: generated %,d tokens in %.1f s (%,.0f tokens/s)", t, tokens, seconds, tokens / Math.max(seconds, 1e-9)));

    // a response identical to the real one is a pair with zero margin and zero gradient: it carries
    // nothing to learn, so it is counted and left out (with short answers it is most pairs)
    List<SyntheticPairs.Entry> own = new ArrayList<>();
    int identical = 0;
    for (int i = 0; i < train.size(); i++) {
      SyntheticPairs.Entry e = entry(train.get(i), t, trainOut.get(i), maxNew);
      if (same(e)) {
        identical++;
      } else {
        own.add(e);
      }
    }
    stats.put("identical_responses", identical);
    List<SyntheticPairs.Entry> all = new ArrayList<>(own);
    if (config.mixPrevious() && t > 0) {
      Path previous = trainDir(output, t - 1).resolve(PAIRS);
      if (!Files.isRegularFile(previous)) {
        throw new IOException(previous + ": missing, but iteration " + t + " mixes in iteration " + (t - 1) + "'s generations (or pass --mix-previous false)");
      }
      for (SyntheticPairs.Entry e : SyntheticPairs.read(previous, train)) {
        if (e.generatedBy() == t - 1) {
          all.add(e);
        }
      }
    }
    List<SyntheticPairs.Entry> evalEntries = new ArrayList<>();
    int identicalEval = 0;
    for (int i = 0; i < eval.size(); i++) {
      SyntheticPairs.Entry e = entry(eval.get(i), t, evalOut.get(i), maxNew);
      if (same(e)) {
        identicalEval++;
      } else {
        evalEntries.add(e);
      }
    }
    stats.put("eval_identical_responses", identicalEval);
    message(String.format("iter%d: %,d of %,d responses (%,d of %,d held out) equal the real ones and are left out", t, identical, train.size(), identicalEval, eval.size()));
    // the reference is θ_t, the model that just generated: score everything once, now (unless the
    // objective is reference-free)
    long r0 = System.nanoTime();
    List<SyntheticPairs.Entry> scored;
    List<SyntheticPairs.Entry> scoredEval;
    if (!config.objective().needsReference()) {
      scored = unscored(all);
      scoredEval = unscored(evalEntries);
    } else {
      try (ReferenceLogProbs ref = new ReferenceLogProbs(engine, start.model(), params)) {
        scored = rescore(ref, all);
        scoredEval = rescore(ref, evalEntries);
      }
      message(String.format("iter%d: reference log-probs of %,d pairs in %.1f s", t, all.size() + evalEntries.size(), (System.nanoTime() - r0) / 1e9));
    }
    return new Generated(scored, scoredEval.stream().map(SyntheticPairs.Entry::pair).toList(), scoredEval, stats);
  }

  private static List<SyntheticPairs.Entry> unscored(List<SyntheticPairs.Entry> entries) {
    return entries.stream().map(e -> new SyntheticPairs.Entry(e.generatedBy(), e.pair().withReference(0f, 0f))).toList();
  }

  private List<SyntheticPairs.Entry> rescore(ReferenceLogProbs ref, List<SyntheticPairs.Entry> entries) {
    List<PreferencePair> scored = ref.score(entries.stream().map(SyntheticPairs.Entry::pair).toList(), rowBatcher());
    List<SyntheticPairs.Entry> out = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      out.add(new SyntheticPairs.Entry(entries.get(i).generatedBy(), scored.get(i)));
    }
    return out;
  }

  /** The generated response as a completion: its tokens, then the end token if the model ended it. */
  private SyntheticPairs.Entry entry(Example real, int t, int[] generated, int maxNew) {
    int[] ids = generated;
    if (generated.length < maxNew) {
      ids = java.util.Arrays.copyOf(generated, generated.length + 1);
      ids[generated.length] = start.tokenizer().eosId();
    }
    return new SyntheticPairs.Entry(t, PreferencePair.of(real, SyntheticPairs.generated(real, ids)));
  }

  private static boolean same(SyntheticPairs.Entry e) {
    return java.util.Arrays.equals(e.pair().chosen().tokens(), e.pair().rejected().tokens());
  }

  private static List<int[]> prompts(List<Example> examples) {
    return examples.stream().map(Example::prompt).toList();
  }

  // ---- evaluation -----------------------------------------------------------------------------

  private void evaluatePairs(List<PreferencePair> evalPairs, Map<String, Object> line) {
    if (evalPairs.isEmpty()) {
      return;
    }
    Map<String, Double> m =
        Evaluation.averaged(engine, start.model(), start.params(), config.objective(), PreferenceData.inOrder(evalPairs, preferenceBatcher()), "pairs");
    m.forEach((k, v) -> line.put("eval_" + k, round(v)));
  }

  private void evaluateModel(List<Example> eval, Map<String, Object> line) {
    if (eval.isEmpty()) {
      return;
    }
    Evaluation.Result r =
        Evaluation.run(engine, start.model(), start.params(), start.tokenizer(), eval, rowBatcher(), rowBatcher().batchSize(), config.exactMatch());
    line.put("eval_nll", round(r.loss()));
    if (r.exactMatch() != null) {
      line.put("eval_exact_match", round(r.exactMatch()));
    }
  }

  // ---- files ----------------------------------------------------------------------------------

  /** Keeps the stage lines of the start model and of finished iterations; rewrites the file. */
  private List<Map<String, Object>> keepStages(MetricsLog metrics, int firstUnfinished) throws IOException {
    List<Map<String, Object>> kept = new ArrayList<>();
    if (!Files.exists(metrics.file())) {
      return kept;
    }
    for (Map<String, Object> l : MetricsLog.read(metrics.file())) {
      Object it = l.get("iteration");
      if (it == null ? "sft".equals(l.get("stage")) : ((Number) it).intValue() < firstUnfinished) {
        kept.add(l);
      }
    }
    Path tmp = metrics.file().resolveSibling(METRICS + ".rewrite");
    Files.deleteIfExists(tmp);
    MetricsLog rewritten = new MetricsLog(tmp);
    kept.forEach(rewritten::append);
    if (kept.isEmpty()) {
      Files.writeString(tmp, "");
    }
    Files.move(tmp, metrics.file(), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return kept;
  }

  private void append(MetricsLog metrics, Map<String, Object> line, List<Map<String, Object>> stages) {
    metrics.append(line);
    stages.add(line);
    listeners.forEach(l -> l.onStage(line));
  }

  private static void lastTrainingWindow(Path work, Map<String, Object> line) throws IOException {
    Path f = work.resolve(METRICS);
    if (!Files.exists(f)) {
      return;
    }
    List<Map<String, Object>> lines = MetricsLog.read(f);
    if (lines.isEmpty()) {
      return;
    }
    for (Map.Entry<String, Object> e : lines.get(lines.size() - 1).entrySet()) {
      if (!e.getKey().equals("step") && !e.getKey().equals("epoch") && !e.getKey().equals("lr")) {
        line.put("train_" + e.getKey(), e.getValue());
      }
    }
  }

  private static void writeGeneration(Path work, Map<String, Object> stats) throws IOException {
    AtomicFiles.writeString(work.resolve(GENERATION), new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(stats) + "\n");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readGeneration(Path work) throws IOException {
    Path f = work.resolve(GENERATION);
    return Files.exists(f) ? new com.fasterxml.jackson.databind.ObjectMapper().readValue(f.toFile(), Map.class) : Map.of();
  }

  /** Deletes a finished iteration's checkpoints and its duplicate of the model (iter-<t>/ has it). */
  private void cleanUp(int t) throws IOException {
    Path work = trainDir(output, t);
    for (Path c : Checkpoints.list(work)) {
      AtomicFiles.deleteRecursively(c);
    }
    for (String f : List.of(ModelDirectory.CONFIG, Compositions.FILE, ModelDirectory.WEIGHTS, ModelDirectory.TOKENIZER,
        dev.tandem.api.io.CheckpointFiles.INDEX, dev.tandem.api.adapter.AdapterDirectory.CONFIG, dev.tandem.api.adapter.AdapterDirectory.WEIGHTS,
        "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", ModelDirectory.GENERATION_CONFIG)) {
      Files.deleteIfExists(work.resolve(f));
    }
    if (Files.isDirectory(work)) {
      try (Stream<Path> s = Files.list(work)) {
        for (Path p : s.filter(p -> p.getFileName().toString().contains(".tmp")).toList()) {
          AtomicFiles.deleteRecursively(p);
        }
      }
    }
  }

  // ---- sizes ----------------------------------------------------------------------------------

  private PreferenceBatcher preferenceBatcher() {
    return new PreferenceBatcher(config.pairsPerBatch(), Batcher.defaultBuckets(start.config().nPositions()), start.tokenizer().padId());
  }

  /** Rows for scoring: as many sequences as one training batch holds. */
  private Batcher rowBatcher() {
    return new Batcher(2 * config.pairsPerBatch(), Batcher.defaultBuckets(start.config().nPositions()), start.tokenizer().padId());
  }

  /**
   * The configured limit, or (automatic) the longest real response, end token included, capped so
   * that the longest prompt still fits.
   */
  private int maxNewTokens(List<Example> train, List<Example> eval, int ctx) {
    if (config.maxNewTokens() > 0) {
      return config.maxNewTokens();
    }
    int longestCompletion = 1;
    int longestPrompt = 0;
    for (List<Example> list : List.of(train, eval)) {
      for (Example e : list) {
        longestCompletion = Math.max(longestCompletion, e.completionLength());
        longestPrompt = Math.max(longestPrompt, e.promptLength());
      }
    }
    return Math.max(1, Math.min(longestCompletion, ctx - longestPrompt));
  }

  /** The examples whose prompt leaves room for {@code maxNew} tokens; the rest go to {@code skips}. */
  private static List<Example> fitting(List<Example> examples, int maxNew, int ctx, SkipReport skips) {
    String reason = "prompt + max-new-tokens " + maxNew + " longer than the context of " + ctx + " tokens";
    List<Example> out = new ArrayList<>(examples.size());
    for (Example e : examples) {
      if (e.promptLength() == 0) {
        throw new dev.tandem.api.data.DataFormatException(e.source(), "SPIN needs a prompt to generate from (a prompt/completion or messages record)");
      }
      if (e.promptLength() + maxNew > ctx) {
        skips.skip(e.source(), reason, e.promptLength() + " prompt tokens");
      } else {
        out.add(e);
      }
    }
    return out;
  }

  private void message(String m) {
    listeners.forEach(l -> l.onMessage(m));
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
  }
}
