package dev.tandem.calm.demo;

import dev.tandem.api.adapter.AdapterDirectory;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.train.Checkpoints;
import dev.tandem.calm.LoraStrategy;
import dev.tandem.calm.kv.KvArithmetic;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * One seed of the CALM experiment, in {@code seed-<S>/}: its data (keys, splits, training sets),
 * the two bases, CALM and the baselines (and the ablation variants when asked), and every model's
 * scored answers on the validation and test splits.
 */
final class SeedRun {
  /** The splits scored: validation (for choices) and test (reported). */
  static final List<String> SPLITS = List.of("validation", "test");

  /**
   * What one seed produced.
   *
   * @param scores {@code scores[split][task][model]}
   * @param trainableParameters per model that trains on the composition data
   * @param loraRank the LoRA rank matched to CALM's parameter count
   * @param bases how each base model's training was chosen
   * @param kept how each composition's and baseline's rate and checkpoint were chosen
   * @param anchor the directory of the main CALM's anchor (m_B, the round kept)
   */
  record Result(Map<String, Map<String, Map<String, Scores>>> scores, Map<String, Long> trainableParameters, int loraRank, Map<String, BaseRounds> bases,
      Map<String, Kept> kept, Path anchor) {
    /** The kept directory of the main CALM, LoRA (unmerged) and the other trained models, by report key. */
    Path model(String name) {
      return kept.get(name).dir();
    }
  }

  /**
   * One learning rate's run of a composition or baseline: its validation accuracy (KV arithmetic)
   * at each checkpoint.
   *
   * @param lr the learning rate
   * @param steps the checkpoints' steps, ascending; the last is the run's end
   * @param validation the validation accuracy at each of {@code steps}
   */
  record Tried(float lr, List<Long> steps, List<Double> validation) {}

  /**
   * How a composition or baseline was chosen on the validation split.
   *
   * @param tried every rate tried (more than one on the first seed only), with its checkpoints' scores
   * @param lr the rate kept
   * @param step the step kept
   * @param dir the kept model: the run's own directory when its last step is kept, else its {@code
   *     checkpoint-<step>}
   */
  record Kept(List<Tried> tried, float lr, long step, Path dir) {
    /** The report's entry: every rate tried with its checkpoints' scores, and the kept rate and step. */
    Map<String, Object> toReport() {
      List<Map<String, Object>> rates = new ArrayList<>();
      for (Tried t : tried) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", Tuning.format(t.lr()));
        m.put("steps", t.steps());
        m.put("validation_kv_arithmetic", t.validation().stream().map(CalmReport::round).toList());
        rates.add(m);
      }
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("tried", rates);
      entry.put("kept_lr", Tuning.format(lr));
      entry.put("kept_step", step);
      return entry;
    }
  }

  /** Trains a model into a directory at a learning rate. */
  @FunctionalInterface
  interface Run {
    void train(Path output, float lr) throws Exception;
  }

  /**
   * How a base model's training was chosen on the validation split: its task's validation accuracy
   * after each round, and the round kept.
   *
   * @param task the base's own task, as in the report
   * @param validation the validation accuracy after each round
   * @param chosen the round kept (1-based): the first with the best validation accuracy
   * @param steps the training steps of the kept model, all rounds up to it
   */
  record BaseRounds(String task, List<Double> validation, int chosen, long steps) {
    /** The report's entry. */
    Map<String, Object> toReport() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("task", task);
      m.put("validation_per_round", validation.stream().map(CalmReport::round).toList());
      m.put("chosen_round", chosen);
      m.put("steps", steps);
      return m;
    }
  }

  private SeedRun() {}

  /** Runs seed {@code seed} into {@code dir}. */
  static Result run(Stages st, OptionValues o, Variant main, List<Variant> ablations, Tuning tuning, Path dir, long seed) throws Exception {
    int keys = o.getInt("keys");
    int baseSteps = o.getInt("base-steps");
    int composeSteps = o.getInt("compose-steps");
    int batchSize = o.getInt("batch-size");
    int evalExamples = o.getInt("eval-examples");
    KvArithmetic kv = new KvArithmetic(KvArithmetic.Settings.of(keys, o.getInt("terms"), seed));
    Path data = dir.resolve("data");
    // enough examples that no run repeats much: the base models see each key in many expressions
    int baseExamples = Math.max(2000, baseSteps * batchSize / 2);
    int composeExamples = Math.max(1000, composeSteps * batchSize / 4);
    Path aTrain = KvArithmetic.write(data.resolve("m_a_train.jsonl"), kv.substitutionTraining(baseExamples, seed + 1));
    Map<Boolean, Path> bTrain = new LinkedHashMap<>();
    List<Variant> calms = new ArrayList<>();
    calms.add(main);
    calms.addAll(ablations);
    for (Variant v : calms) {
      if (!bTrain.containsKey(v.distractors())) {
        String file = v.distractors() ? "m_b_train.jsonl" : "m_b_plain_train.jsonl";
        bTrain.put(v.distractors(), KvArithmetic.write(data.resolve(file), kv.numericTraining(baseExamples, seed + 2, v.distractors())));
      }
    }
    Map<Double, Path> cTrain = new LinkedHashMap<>();
    cTrain.put(0.0, KvArithmetic.write(data.resolve("compose_train.jsonl"), kv.kvArithmetic(composeExamples, kv.composeKeys(), seed + 3)));
    for (Variant v : calms) {
      if (!cTrain.containsKey(v.substitution())) {
        cTrain.put(v.substitution(), KvArithmetic.write(data.resolve("compose_train_substitution_" + Math.round(100 * v.substitution()) + ".jsonl"),
            withSubstitution(kv, composeExamples, v.substitution(), seed + 3)));
      }
    }
    // held-out keys split into validation and test keys; numeric arithmetic has no keys: other draws
    Map<String, Map<String, List<KvArithmetic.Item>>> evals = new LinkedHashMap<>();
    for (int s = 0; s < SPLITS.size(); s++) {
      String split = SPLITS.get(s);
      List<String> splitKeys = s == 0 ? kv.validationKeys() : kv.testKeys();
      Map<String, List<KvArithmetic.Item>> tasks = new LinkedHashMap<>();
      tasks.put("kv_substitution", kv.substitution(evalExamples, splitKeys, seed + 4 + 10 * s));
      tasks.put("numeric_arithmetic", kv.numeric(evalExamples, seed + 5 + 10 * s));
      tasks.put("kv_arithmetic", kv.kvArithmetic(evalExamples, splitKeys, seed + 6 + 10 * s));
      for (var t : tasks.entrySet()) {
        KvArithmetic.write(data.resolve(split + "_" + t.getKey() + ".jsonl"), t.getValue());
      }
      evals.put(split, tasks);
    }

    Path mADir = dir.resolve("m_A");
    Map<Boolean, Path> mB = new LinkedHashMap<>();
    for (boolean d : bTrain.keySet()) {
      mB.put(d, dir.resolve(d ? "m_B" : "m_B_plain"));
    }
    st.stage("init", () -> {
      st.init(mADir.resolve("init"), seed + 10);
      for (Path b : mB.values()) {
        st.init(b.resolve("init"), seed + 11);
      }
    });
    Map<String, BaseRounds> bases = new LinkedHashMap<>();
    Map<String, List<KvArithmetic.Item>> validation = evals.get("validation");
    Path mA = base(st, o, "m_A", "kv_substitution", mADir, aTrain, validation, seed, bases);
    Map<Boolean, Path> chosenB = new LinkedHashMap<>();
    for (var b : mB.entrySet()) {
      String name = b.getValue().getFileName().toString();
      chosenB.put(b.getKey(), base(st, o, name, "numeric_arithmetic", b.getValue(), bTrain.get(b.getKey()), validation, seed, bases));
    }
    Path anchor = chosenB.get(main.distractors());
    Map<String, Path> models = new LinkedHashMap<>();
    models.put("m_A", mA);
    models.put("m_B", anchor);
    int every = o.getInt("connect-every");
    int saveEvery = o.getInt("eval-every");
    List<KvArithmetic.Item> chooseOn = validation.get("kv_arithmetic");
    Map<String, Kept> kept = new LinkedHashMap<>();
    for (Variant v : calms) {
      Path out = dir.resolve(v.name());
      // the ablation rows train at the rate the main CALM kept
      Kept k = keep(st, "compose " + v.name(), tuning.rates("calm", o.getFloat("calm-lr")), out, chooseOn,
          (to, lr) -> st.compose("calm", chosenB.get(v.distractors()), List.of(mA), v.strategyOptions(every), cTrain.get(v.substitution()), to, composeSteps,
              lr, saveEvery));
      tuning.choose("calm", k.lr());
      kept.put(v.name(), k);
      models.put(v.name(), k.dir());
    }
    long calmParams = parameters(kept.get(main.name()).dir());
    long perRank = LoraStrategy.parametersPerRank(ModelDirectory.load(anchor), LoraStrategy.DEFAULT_TARGETS);
    int rank = (int) Math.max(1, Math.round((double) calmParams / perRank));
    Path c0 = cTrain.get(0.0);
    List<Float> loraRates = tuning.rates("lora", o.getFloat("lora-lr"));
    Kept lora = keep(st, "compose LoRA", loraRates, dir.resolve("lora"), chooseOn,
        (to, lr) -> st.compose("lora", anchor, List.of(), Map.of("rank", Integer.toString(rank)), c0, to, composeSteps, lr, saveEvery));
    tuning.choose("lora", lora.lr());
    kept.put("lora", lora);
    models.put("lora", lora.dir());
    // merged for the inference bench only (seed-S/lora/merged, whichever run's checkpoint was kept)
    st.stage("merge LoRA", () -> st.merge(lora.dir(), dir.resolve("lora").resolve("merged")));
    List<Float> ftRates = tuning.rates("full_finetune", o.getFloat("finetune-lr"));
    Kept ft = keep(st, "fine-tune m_B fully", ftRates, dir.resolve("full_finetune"), chooseOn,
        (to, lr) -> st.sftWithCheckpoints("full_finetune", anchor, c0, to, composeSteps, lr, saveEvery));
    tuning.choose("full_finetune", ft.lr());
    kept.put("full_finetune", ft);
    models.put("full_finetune", ft.dir());
    // the report's column order: the bases, the main CALM, the baselines, then the ablation rows
    Map<String, Path> ordered = new LinkedHashMap<>();
    for (String m : List.of("m_A", "m_B", main.name(), "lora", "full_finetune")) {
      ordered.put(m, models.get(m));
    }
    ordered.putAll(models);
    models = ordered;

    Map<String, Path> scored = models;
    Map<String, Map<String, Map<String, Scores>>> scores = new LinkedHashMap<>();
    st.stage("evaluate", () -> {
      for (String split : SPLITS) {
        scores.put(split, new LinkedHashMap<>());
        for (String task : evals.get(split).keySet()) {
          scores.get(split).put(task, new LinkedHashMap<>());
        }
      }
      for (var m : scored.entrySet()) {
        for (String split : SPLITS) {
          Map<String, List<String>> answers = st.answers(m.getValue(), evals.get(split));
          for (var t : evals.get(split).entrySet()) {
            scores.get(split).get(t.getKey()).put(m.getKey(), Scores.of(t.getValue(), answers.get(t.getKey())));
          }
        }
      }
    });
    Map<String, Long> params = new LinkedHashMap<>();
    params.put("calm", calmParams);
    params.put("lora", parameters(lora.dir()));
    params.put("full_finetune", parameters(anchor));
    return new Result(scores, params, rank, bases, kept, anchor);
  }

  /**
   * Trains base model {@code name} from {@code dir/init} in rounds of {@code base-steps} on {@code
   * data}, round 1 into {@code dir} at {@code base-lr}, round r > 1 from round r - 1 into {@code
   * dir-round<r>} at a third of the rate (a new cosine schedule, another data order), until its
   * validation accuracy on {@code task} reaches {@code base-target} or {@code base-rounds} rounds
   * ran; keeps the first round with the best validation accuracy and returns its directory.
   */
  private static Path base(Stages st, OptionValues o, String name, String task, Path dir, Path data, Map<String, List<KvArithmetic.Item>> validation,
      long seed, Map<String, BaseRounds> out) throws Exception {
    int steps = o.getInt("base-steps");
    int rounds = o.getInt("base-rounds");
    double target = o.getDouble("base-target");
    if (rounds < 1) {
      throw new IllegalArgumentException("base-rounds must be >= 1, not " + rounds);
    }
    List<Double> accuracy = new ArrayList<>();
    List<Path> dirs = new ArrayList<>();
    Path from = dir.resolve("init");
    for (int r = 1; r <= rounds; r++) {
      Path to = r == 1 ? dir : dir.resolveSibling(dir.getFileName() + "-round" + r);
      Path start = from;
      float lr = r == 1 ? o.getFloat("base-lr") : o.getFloat("base-lr") / 3;
      long order = seed + 100L * (r - 1);
      st.stage("train " + name + " (" + task.replace('_', ' ') + "), round " + r, () -> st.sft(name, start, data, to, steps, lr, order));
      List<KvArithmetic.Item> items = validation.get(task);
      double acc = Scores.of(items, st.answers(to, Map.of(task, items)).get(task)).accuracy();
      accuracy.add(acc);
      dirs.add(to);
      st.note(String.format(java.util.Locale.ROOT, "%s, round %d: %.1f%% on validation %s (target %.1f%%)", name, r, 100 * acc, task.replace('_', ' '),
          100 * target));
      if (acc >= target) {
        break;
      }
      from = to;
    }
    int best = 0;
    for (int i = 1; i < accuracy.size(); i++) {
      if (accuracy.get(i) > accuracy.get(best)) {
        best = i;
      }
    }
    out.put(name, new BaseRounds(task, List.copyOf(accuracy), best + 1, (long) steps * (best + 1)));
    return dirs.get(best);
  }

  /**
   * Runs {@code run} at every rate in {@code rates} (the first into {@code out}, the others into
   * {@code out-lr<rate>}), scores every checkpoint on {@code chooseOn} (validation KV arithmetic) and
   * keeps the best; ties go to the earlier rate in {@code rates} (the first factor of {@code
   * --lr-factors}, 1 by default) and, within a rate, to the later step (the finished schedule unless
   * an earlier point is strictly better).
   */
  private static Kept keep(Stages st, String stage, List<Float> rates, Path out, List<KvArithmetic.Item> chooseOn, Run run) throws Exception {
    List<Tried> tried = new ArrayList<>();
    List<List<Path>> dirs = new ArrayList<>();
    for (int i = 0; i < rates.size(); i++) {
      float lr = rates.get(i);
      Path to = i == 0 ? out : out.resolveSibling(out.getFileName() + "-lr" + Tuning.format(lr));
      List<Long> steps = new ArrayList<>();
      List<Double> acc = new ArrayList<>();
      List<Path> models = new ArrayList<>();
      st.stage(stage + (rates.size() > 1 ? " at lr " + Tuning.format(lr) : ""), () -> {
        // a rerun into the same output must not score the checkpoints of an earlier run
        for (Path old : Checkpoints.list(to)) {
          dev.tandem.api.io.AtomicFiles.deleteRecursively(old);
        }
        run.train(to, lr);
        List<Path> checkpoints = Checkpoints.list(to);
        for (int c = 0; c < checkpoints.size(); c++) {
          Path model = c == checkpoints.size() - 1 ? to : checkpoints.get(c); // the last checkpoint is the run's final model
          steps.add(Checkpoints.step(checkpoints.get(c)));
          acc.add(Scores.of(chooseOn, st.answers(model, Map.of("kv_arithmetic", chooseOn)).get("kv_arithmetic")).accuracy());
          models.add(model);
        }
      });
      tried.add(new Tried(lr, List.copyOf(steps), List.copyOf(acc)));
      dirs.add(models);
      st.note(String.format(Locale.ROOT, "%s at lr %s: validation KV arithmetic %s at steps %s", stage, Tuning.format(lr),
          acc.stream().map(x -> String.format(Locale.ROOT, "%.1f%%", 100 * x)).toList(), steps));
    }
    int[] best = best(tried);
    Tried t = tried.get(best[0]);
    st.note(String.format(Locale.ROOT, "%s: kept lr %s, step %d (%.1f%% on validation KV arithmetic)", stage, Tuning.format(t.lr()), t.steps().get(best[1]),
        100 * t.validation().get(best[1])));
    return new Kept(List.copyOf(tried), t.lr(), t.steps().get(best[1]), dirs.get(best[0]).get(best[1]));
  }

  /**
   * The run and checkpoint kept, {rate index, step index}: the best validation accuracy; ties go to
   * the earlier rate and, within a rate, to the later step (the finished
   * schedule, unless an earlier point is strictly better).
   */
  static int[] best(List<Tried> tried) {
    int[] best = null;
    double bestAcc = Double.NEGATIVE_INFINITY;
    for (int r = 0; r < tried.size(); r++) {
      List<Double> v = tried.get(r).validation();
      for (int s = 0; s < v.size(); s++) {
        if (v.get(s) > bestAcc || (v.get(s) == bestAcc && best[0] == r)) {
          bestAcc = v.get(s);
          best = new int[] {r, s};
        }
      }
    }
    if (best == null) {
      throw new IllegalStateException("no checkpoint was scored");
    }
    return best;
  }

  /** The composition data with a fraction {@code f} of KV substitution examples over the composition's keys, shuffled. */
  private static List<KvArithmetic.Item> withSubstitution(KvArithmetic kv, int n, double f, long seed) {
    int subst = (int) Math.round(n * f);
    List<KvArithmetic.Item> items = new ArrayList<>(kv.kvArithmetic(n - subst, kv.composeKeys(), seed));
    items.addAll(kv.substitution(subst, kv.composeKeys(), seed + 100));
    Collections.shuffle(items, new Random(seed));
    return items;
  }

  static long parameters(Path modelDir) throws IOException {
    Path adapter = modelDir.resolve(AdapterDirectory.WEIGHTS); // a lora composition's parameters, in PEFT's layout
    Path file = java.nio.file.Files.isRegularFile(adapter) ? adapter : modelDir.resolve("model.safetensors");
    return Safetensors.read(file).values().stream().mapToLong(t -> t.shape().size()).sum();
  }
}
