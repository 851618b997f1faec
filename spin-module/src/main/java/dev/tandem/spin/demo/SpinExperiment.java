package dev.tandem.spin.demo;

import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.JsonlDataset;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.Evaluation;
import dev.tandem.api.train.PreferenceData;
import dev.tandem.spin.SelfPlay;
import dev.tandem.spin.SpinConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The experiment of the SPIN paper at small scale, for one task and several seeds, through the
 * facade. Per seed: a new GPT is trained by SFT to convergence (early stopping on validation, the
 * best epoch kept; {@link SupervisedStages}). On the first seed's SFT model, SPIN's beta is chosen
 * from the grid by the validation score after iteration 0. Then, per seed, from its SFT model: SPIN
 * iterations 0..T-1, and continued SFT with SPIN's optimizer, schedule, learning rate and epochs per
 * iteration on the real responses, scored after each "iteration". Every stage is scored on the same
 * test items (NLL of the human completions, greedy exact match) and on the same held-out pairs:
 * those of SPIN's iteration 0 (the human response against the SFT model's, with the SFT model as
 * reference), so that {@code rewards_accuracies} of every stage answers one question.
 *
 * <p>Layout under {@code <output>/<task>/}: {@code seed-<s>/} ({@code base/}, {@code sft/} the
 * chunked SFT run, {@code sft-best/}, {@code spin/} the {@link SelfPlay} run, {@code
 * continued-sft-<t>/}) and {@code grid/beta-<b>/}.
 */
public final class SpinExperiment {
  /** Observes the experiment: messages and everything {@link SelfPlay} reports. */
  public interface Listener extends SelfPlay.Listener {}

  private final Tandem tandem;
  private final Engine engine;
  private final Tokenizer tokenizer;
  private final Path output;
  private final Listener listener;

  /**
   * @param tandem the facade that loads the models, builds the trainers and evaluates
   * @param tokenizer the tokenizer of the new models (it must have the chat specials)
   * @param output the experiment directory; each task gets {@code <output>/<task>/}
   */
  public SpinExperiment(Tandem tandem, Engine engine, Tokenizer tokenizer, Path output, Listener listener) {
    this.tandem = tandem;
    this.engine = engine;
    this.tokenizer = tokenizer;
    this.output = output;
    this.listener = listener;
  }

  /** Runs every stage of one task for every seed and returns its part of the report. */
  public SpinDemoReport.TaskResult run(DemoTasks.TaskSpec spec, DemoTasks.Settings settings) throws IOException {
    Path dir = output.resolve(spec.name());
    PromptTemplate template = new PromptTemplate(tokenizer);
    int ctx = spec.model().nPositions();
    SkipReport skips = SkipReport.collecting();
    List<Example> train = JsonlDataset.toExamples(JsonlDataset.read(spec.train()), template, ctx, skips);
    List<Example> validation = JsonlDataset.toExamples(JsonlDataset.read(spec.validation()), template, ctx, skips);
    List<Example> test = JsonlDataset.toExamples(JsonlDataset.read(spec.test()), template, ctx, skips);
    if (!skips.isEmpty()) {
      listener.onMessage(spec.name() + ": " + skips);
    }
    List<Long> seeds = settings.seedList();

    // 1. per seed: a new model, SFT to convergence on validation
    List<SpinDemoReport.SftRun> sft = new ArrayList<>();
    Map<Long, LoadedModel> models = new LinkedHashMap<>();
    for (long seed : seeds) {
      Path sd = dir.resolve("seed-" + seed);
      Path base = sd.resolve("base");
      ModelDirectory.save(base, spec.model(), tokenizer, new Gpt(spec.model()).initialWeights(seed));
      LoadedModel lm = tandem.loadModel(engine, base, true);
      if (sft.isEmpty()) {
        listener.onMessage(String.format("%s: %,d train, %,d validation, %,d test examples; model %d layers, d_model %d, context %d (%,d parameters)",
            spec.name(), train.size(), validation.size(), test.size(), spec.model().nLayer(), spec.model().nEmbd(), ctx, lm.params().count(false)));
      }
      SupervisedStages.Curve c = SupervisedStages.toConvergence(tandem, engine, lm, spec, train, validation, seed, sd.resolve("sft"), sd.resolve("sft-best"));
      sft.add(new SpinDemoReport.SftRun(seed, c.validation(), c.bestEpoch()));
      listener.onMessage(String.format("%s seed %d: SFT stopped after %d epochs, best epoch %d (validation NLL %.4f)", spec.name(), seed,
          c.validation().size(), c.bestEpoch(), c.validation().get(c.bestEpoch() - 1)));
      models.put(seed, lm.withPath(sd.resolve("sft-best")));
    }

    // 2. beta on validation: SPIN iteration 0 from the first seed's SFT model, per grid value
    long gridSeed = seeds.get(0);
    List<Double> gridScores = new ArrayList<>();
    for (float beta : settings.betas()) {
      LoadedModel lm = models.get(gridSeed);
      lm.restore(lm.path());
      SpinConfig one = withIterations(settings.spin(spec.pairsPerBatch(), beta, gridSeed), 1);
      SelfPlay play = new SelfPlay(tandem, engine, lm, one, dir.resolve("grid").resolve("beta-" + beta));
      SelfPlay.Result r = play.run(train, validation, SkipReport.collecting(), false);
      Map<String, Object> line = r.stages().get(1);
      double score = spec.gridOnExactMatch() ? ((Number) line.get("eval_exact_match")).doubleValue() : -((Number) line.get("eval_nll")).doubleValue();
      gridScores.add(SupervisedStages.round(score));
      listener.onMessage(String.format("%s grid: beta %s, validation %s after iter0: %.4f", spec.name(), beta,
          spec.gridOnExactMatch() ? "exact match" : "-NLL", score));
    }
    int best = 0;
    for (int i = 1; i < gridScores.size(); i++) {
      if (gridScores.get(i) > gridScores.get(best)) {
        best = i;
      }
    }
    float beta = settings.betas().get(best);
    List<Double> gridValues = settings.betas().stream().map(b -> Double.parseDouble(Float.toString(b))).toList();
    SpinDemoReport.Grid grid = new SpinDemoReport.Grid("beta", gridSeed,
        "validation " + (spec.gridOnExactMatch() ? "exact_match" : "-nll") + " after SPIN iter0", gridValues, gridScores, gridValues.get(best));

    // 3. per seed: SPIN and continued SFT from the SFT model, scored on test
    int iterations = settings.iterations();
    List<String> names = stageNames(iterations);
    Map<String, Map<String, double[]>> values = new LinkedHashMap<>();
    for (String n : names) {
      Map<String, double[]> m = new LinkedHashMap<>();
      for (String metric : SpinDemoReport.METRICS) {
        m.put(metric, new double[seeds.size()]);
      }
      values.put(n, m);
    }
    for (int si = 0; si < seeds.size(); si++) {
      long seed = seeds.get(si);
      LoadedModel lm = models.get(seed);
      Path sftBest = lm.path();
      lm.restore(sftBest);
      SpinConfig config = settings.spin(spec.pairsPerBatch(), beta, seed);
      Path spinDir = dir.resolve("seed-" + seed).resolve("spin");
      SelfPlay play = new SelfPlay(tandem, engine, lm, config, spinDir);
      play.addListener(listener);
      SelfPlay.Result r = play.run(train, test, SkipReport.collecting(), false);
      List<PreferencePair> pairs0 = SelfPlay.evalPairs(spinDir, 0, test);
      for (Map<String, Object> line : r.stages()) {
        String stage = (String) line.get("stage");
        put(values, stage, "exact_match", si, number(line.get("eval_exact_match")));
        put(values, stage, "nll", si, number(line.get("eval_nll")));
      }
      values.get("sft").get("rewards_accuracies")[si] = Double.NaN;
      for (int t = 0; t < iterations; t++) {
        lm.restore(SelfPlay.iterationDir(spinDir, t));
        put(values, "iter" + t, "rewards_accuracies", si, accuracy(lm, config, pairs0));
      }
      lm.restore(sftBest);
      for (int t = 0; t < iterations; t++) {
        Path work = dir.resolve("seed-" + seed).resolve("continued-sft-" + t);
        long steps = SupervisedStages.continued(tandem, engine, lm, config, train, seed + t, work);
        Evaluation.Result e = tandem.evaluate(engine, lm, test, 2 * config.pairsPerBatch(), true);
        String stage = "continued_sft" + t;
        put(values, stage, "exact_match", si, e.exactMatch());
        put(values, stage, "nll", si, e.loss());
        put(values, stage, "rewards_accuracies", si, accuracy(lm, config, pairs0));
        listener.onMessage(String.format("%s seed %d continued SFT %d: %d steps, test exact match %.4f, NLL %.4f", spec.name(), seed, t, steps,
            e.exactMatch(), e.loss()));
      }
    }
    List<SpinDemoReport.Stage> stages = new ArrayList<>();
    values.forEach((n, m) -> stages.add(new SpinDemoReport.Stage(n, m)));
    Map<String, Integer> sizes = new LinkedHashMap<>();
    sizes.put("train", train.size());
    sizes.put("validation", validation.size());
    sizes.put("test", test.size());
    String model = String.format("GPT %d layers, d_model %d, context %d", spec.model().nLayer(), spec.model().nEmbd(), ctx);
    return new SpinDemoReport.TaskResult(spec.name(), sizes, model, grid, sft, stages);
  }

  /** {@code sft}, {@code iter0..}, {@code continued_sft0..}. */
  static List<String> stageNames(int iterations) {
    List<String> names = new ArrayList<>();
    names.add("sft");
    for (int t = 0; t < iterations; t++) {
      names.add("iter" + t);
    }
    for (int t = 0; t < iterations; t++) {
      names.add("continued_sft" + t);
    }
    return names;
  }

  private double accuracy(LoadedModel lm, SpinConfig config, List<PreferencePair> pairs) {
    if (pairs.isEmpty()) {
      return Double.NaN;
    }
    PreferenceBatcher b = new PreferenceBatcher(config.pairsPerBatch(), Batcher.defaultBuckets(lm.config().nPositions()), tokenizer.padId());
    Map<String, Double> m = Evaluation.averaged(engine, lm.model(), lm.params(), config.objective(), PreferenceData.inOrder(pairs, b), "pairs");
    return m.getOrDefault("rewards/accuracies", Double.NaN);
  }

  private static void put(Map<String, Map<String, double[]>> values, String stage, String metric, int seed, Double v) {
    values.get(stage).get(metric)[seed] = v == null ? Double.NaN : SupervisedStages.round(v);
  }

  private static Double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : null;
  }

  private static SpinConfig withIterations(SpinConfig c, int iterations) {
    return new SpinConfig(iterations, c.objective(), c.training(), c.optimizer(), c.pairsPerBatch(), c.mixPrevious(), c.maxNewTokens(), c.temperature(),
        c.topP(), c.generationBatchSize(), c.exactMatch(), c.seed());
  }
}
