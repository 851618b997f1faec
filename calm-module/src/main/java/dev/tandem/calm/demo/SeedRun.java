package dev.tandem.calm.demo;

import dev.tandem.api.adapter.AdapterDirectory;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.option.OptionValues;
import dev.tandem.calm.LoraStrategy;
import dev.tandem.calm.kv.KvArithmetic;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
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
   */
  record Result(Map<String, Map<String, Map<String, Scores>>> scores, Map<String, Long> trainableParameters, int loraRank) {}

  private SeedRun() {}

  /** Runs seed {@code seed} into {@code dir}. */
  static Result run(Stages st, OptionValues o, Variant main, List<Variant> ablations, Path dir, long seed) throws Exception {
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

    Path mA = dir.resolve("m_A");
    Map<Boolean, Path> mB = new LinkedHashMap<>();
    for (boolean d : bTrain.keySet()) {
      mB.put(d, dir.resolve(d ? "m_B" : "m_B_plain"));
    }
    Path anchor = mB.get(main.distractors());
    st.stage("init", () -> {
      st.init(mA.resolve("init"), seed + 10);
      for (Path b : mB.values()) {
        st.init(b.resolve("init"), seed + 11);
      }
    });
    float baseLr = o.getFloat("base-lr");
    st.stage("train m_A (KV substitution)", () -> st.sft("m_A", mA.resolve("init"), aTrain, mA, baseSteps, baseLr));
    for (var b : mB.entrySet()) {
      String what = b.getKey() ? "" : ", without the sum <letters> prompts";
      st.stage("train " + b.getValue().getFileName() + " (numeric arithmetic" + what + ")",
          () -> st.sft(b.getValue().getFileName().toString(), b.getValue().resolve("init"), bTrain.get(b.getKey()), b.getValue(), baseSteps, baseLr));
    }
    Map<String, Path> models = new LinkedHashMap<>();
    models.put("m_A", mA);
    models.put("m_B", anchor);
    int every = o.getInt("connect-every");
    for (Variant v : calms) {
      Path out = dir.resolve(v.name());
      st.stage("compose " + v.name(), () -> st.compose("calm", mB.get(v.distractors()), List.of(mA), v.strategyOptions(every), cTrain.get(v.substitution()), out,
          composeSteps, o.getFloat("calm-lr"), false));
      models.put(v.name(), out);
      if (v == main) {
        models.put("lora", dir.resolve("lora"));
        models.put("full_finetune", dir.resolve("full_finetune"));
      }
    }
    long calmParams = parameters(dir.resolve(main.name()));
    long perRank = LoraStrategy.parametersPerRank(ModelDirectory.load(anchor), LoraStrategy.DEFAULT_TARGETS);
    int rank = (int) Math.max(1, Math.round((double) calmParams / perRank));
    Path c0 = cTrain.get(0.0);
    st.stage("compose LoRA", () -> st.compose("lora", anchor, List.of(), Map.of("rank", Integer.toString(rank)), c0, dir.resolve("lora"), composeSteps,
        o.getFloat("lora-lr"), true));
    st.stage("fine-tune m_B fully", () -> st.sft("full_finetune", anchor, c0, dir.resolve("full_finetune"), composeSteps, o.getFloat("finetune-lr")));

    Map<String, Map<String, Map<String, Scores>>> scores = new LinkedHashMap<>();
    st.stage("evaluate", () -> {
      for (String split : SPLITS) {
        scores.put(split, new LinkedHashMap<>());
        for (String task : evals.get(split).keySet()) {
          scores.get(split).put(task, new LinkedHashMap<>());
        }
      }
      for (var m : models.entrySet()) {
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
    params.put("lora", parameters(dir.resolve("lora")));
    params.put("full_finetune", parameters(anchor));
    return new Result(scores, params, rank);
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
