package dev.tandem.calm.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.api.adapter.AdapterDirectory;
import dev.tandem.api.inject.Experiment;
import dev.tandem.api.inject.ExperimentContext;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.io.Safetensors;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.calm.LoraStrategy;
import dev.tandem.calm.kv.KvArithmetic;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tandem demo calm}: the CALM paper's key-value arithmetic experiment (Table 1), small, end
 * to end through the facade: data, two base models trained from scratch, the CALM composition and
 * the two baselines on the same data (LoRA on the anchor, merged, with as many trainable
 * parameters; SFT of the whole anchor), greedy exact match of all five on the three tasks, and the
 * inference cost. Writes {@code calm_report.json} and {@code calm_report.png}.
 */
public final class CalmDemo implements Experiment {
  private static final List<OptionSpec> OPTIONS =
      List.of(
          new OptionSpec("keys", Integer.class, "100", "number of keys; the composition trains on 20% of them"),
          new OptionSpec("terms", Integer.class, "2", "operands per expression"),
          new OptionSpec("layers", Integer.class, "4", "blocks of each base model"),
          new OptionSpec("heads", Integer.class, "4", "attention heads"),
          new OptionSpec("d-model", Integer.class, "64", "width of the base models"),
          new OptionSpec("context", Integer.class, "48", "context length"),
          new OptionSpec("base-steps", Integer.class, "3000", "training steps of m_A and of m_B"),
          new OptionSpec("compose-steps", Integer.class, "1000", "training steps of CALM, LoRA and the full fine-tune, each"),
          new OptionSpec("batch-size", Integer.class, "32", "batch size of every training run"),
          new OptionSpec("base-lr", Float.class, "3e-3", "learning rate of m_A and m_B"),
          new OptionSpec("calm-lr", Float.class, "3e-3", "learning rate of CALM"),
          new OptionSpec("lora-lr", Float.class, "3e-3", "learning rate of LoRA"),
          new OptionSpec("finetune-lr", Float.class, "1e-3", "learning rate of the full fine-tune of m_B"),
          new OptionSpec("connect-every", Integer.class, "0", "CALM connects every K-th layer; 0: the strategy's default, every 4th as in the paper"),
          new OptionSpec("eval-examples", Integer.class, "200", "held-out examples per task"),
          new OptionSpec("bench-trials", Integer.class, "15", "timed generation runs per model for the inference ratios"),
          new OptionSpec("seed", Long.class, "1", "seed of data and models"));

  /** The report file. */
  public static final String REPORT = "calm_report.json";

  @Override
  public String name() {
    return "calm";
  }

  @Override
  public String description() {
    return "CALM: key-value arithmetic, composition against LoRA and full fine-tuning";
  }

  @Override
  public List<OptionSpec> options() {
    return OPTIONS;
  }

  @Override
  public List<String> reports() {
    return List.of(REPORT, "calm_report.png");
  }

  @Override
  public int typicalSeconds(String engine) {
    return "tensorflow".equals(engine) ? 600 : 240;
  }

  @Override
  public Result run(ExperimentContext ctx) throws Exception {
    OptionValues o = ctx.options();
    Path output = ctx.output();
    PrintWriter out = ctx.out();
    Stages st = new Stages(ctx);
    int keys = o.getInt("keys");
    int baseSteps = o.getInt("base-steps");
    int composeSteps = o.getInt("compose-steps");
    int batchSize = o.getInt("batch-size");
    int evalExamples = o.getInt("eval-examples");
    long seed = o.getLong("seed");
    long t0 = System.nanoTime();
    Files.createDirectories(output);
    Path data = output.resolve("data");
    KvArithmetic kv = new KvArithmetic(KvArithmetic.Settings.of(keys, o.getInt("terms"), seed));
    // enough examples that no run repeats much: the base models see each key in many expressions
    int baseExamples = Math.max(2000, baseSteps * batchSize / 2);
    int composeExamples = Math.max(1000, composeSteps * batchSize / 4);
    Path aTrain = KvArithmetic.write(data.resolve("m_a_train.jsonl"), kv.substitutionTraining(baseExamples, seed + 1));
    Path bTrain = KvArithmetic.write(data.resolve("m_b_train.jsonl"), kv.numericTraining(baseExamples, seed + 2));
    Path cTrain = KvArithmetic.write(data.resolve("compose_train.jsonl"), kv.kvArithmetic(composeExamples, kv.composeKeys(), seed + 3));
    Map<String, Path> evals = new LinkedHashMap<>();
    evals.put("kv_substitution", KvArithmetic.write(data.resolve("eval_kv_substitution.jsonl"), kv.substitution(evalExamples, kv.heldOutKeys(), seed + 4)));
    evals.put("numeric_arithmetic", KvArithmetic.write(data.resolve("eval_numeric_arithmetic.jsonl"), kv.numeric(evalExamples, seed + 5)));
    evals.put("kv_arithmetic", KvArithmetic.write(data.resolve("eval_kv_arithmetic.jsonl"), kv.kvArithmetic(evalExamples, kv.heldOutKeys(), seed + 6)));
    out.printf(
        "demo calm: %d keys (%d for the composition, %d held out), data in %s%n",
        keys, kv.composeKeys().size(), kv.heldOutKeys().size(), data);

    Path mA = output.resolve("m_A");
    Path mB = output.resolve("m_B");
    Path calm = output.resolve("calm");
    Path lora = output.resolve("lora");
    Path full = output.resolve("full_finetune");
    st.stage("init", () -> {
      st.init(mA.resolve("init"), seed + 10);
      st.init(mB.resolve("init"), seed + 11);
    });
    float baseLr = o.getFloat("base-lr");
    st.stage("train m_A (KV substitution)", () -> st.sft("m_A", mA.resolve("init"), aTrain, mA, baseSteps, baseLr));
    st.stage("train m_B (numeric arithmetic)", () -> st.sft("m_B", mB.resolve("init"), bTrain, mB, baseSteps, baseLr));
    Map<String, String> calmOptions = new LinkedHashMap<>();
    if (o.getInt("connect-every") > 0) {
      calmOptions.put("connect_every", Integer.toString(o.getInt("connect-every")));
    }
    st.stage("compose CALM", () -> st.compose("calm", mB, List.of(mA), calmOptions, cTrain, calm, composeSteps, o.getFloat("calm-lr"), false));
    long calmParams = parameters(calm);
    long perRank = LoraStrategy.parametersPerRank(ModelDirectory.load(mB), LoraStrategy.DEFAULT_TARGETS);
    int rank = (int) Math.max(1, Math.round((double) calmParams / perRank));
    st.stage("compose LoRA", () -> st.compose("lora", mB, List.of(), Map.of("rank", Integer.toString(rank)), cTrain, lora, composeSteps, o.getFloat("lora-lr"), true));
    long loraParams = parameters(lora);
    st.stage("fine-tune m_B fully", () -> st.sft("full_finetune", mB, cTrain, full, composeSteps, o.getFloat("finetune-lr")));

    Map<String, Path> models = new LinkedHashMap<>();
    models.put("m_A", mA);
    models.put("m_B", mB);
    models.put("calm", calm);
    models.put("lora", lora);
    models.put("full_finetune", full);
    Map<String, Map<String, Double>> accuracy = new LinkedHashMap<>();
    st.stage("evaluate", () -> {
      for (String task : CalmReport.TASKS) {
        Map<String, Double> row = new LinkedHashMap<>();
        for (var m : models.entrySet()) {
          row.put(m.getKey(), st.exactMatch(m.getValue(), evals.get(task)));
        }
        accuracy.put(task, row);
      }
    });
    Map<String, Object> calmBench = new LinkedHashMap<>();
    Map<String, Object> loraBench = new LinkedHashMap<>();
    int trials = o.getInt("bench-trials");
    st.stage("bench", () -> {
      calmBench.putAll(st.bench(calm, null, trials));
      loraBench.putAll(st.bench(lora.resolve("merged"), mB, trials));
    });

    Map<String, Object> inference = new LinkedHashMap<>();
    inference.put("calm_over_separate", calmBench.get("generate_time_over_bases_separately"));
    inference.put("lora_merged_over_anchor", loraBench.get("generate_time_over_baseline"));
    double wall = (System.nanoTime() - t0) / 1e9;
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("calm_over_anchor", calmBench.get("generate_time_over_anchor"));
    details.put("calm_generate_tokens_per_second", calmBench.get("compared_generate_tokens_per_second"));
    details.put("m_A_generate_tokens_per_second", calmBench.get("generate_tokens_per_second_augment0"));
    details.put("m_B_generate_tokens_per_second", calmBench.get("generate_tokens_per_second_anchor"));
    details.put("lora_merged_generate_tokens_per_second", loraBench.get("compared_generate_tokens_per_second"));
    details.put("engine", calmBench.get("engine"));
    details.put("bench_threads", calmBench.get("threads"));
    details.put("trainable_parameters", Map.of("calm", calmParams, "lora", loraParams, "lora_rank", rank, "full_finetune", parameters(mB)));
    details.put("keys", Map.of("total", keys, "composition", kv.composeKeys().size(), "held_out", kv.heldOutKeys().size()));
    details.put("models", Map.of("layers", o.getInt("layers"), "heads", o.getInt("heads"), "d_model", o.getInt("d-model"), "context", o.getInt("context")));
    details.put("steps", Map.of("base", baseSteps, "compose", composeSteps, "batch_size", batchSize));
    details.put("eval_examples_per_task", evalExamples);
    details.put("paper_table_1_percent", Map.of(
        "kv_substitution", Map.of("m_A", 98.1, "m_B", 0.0, "calm", 92.9),
        "numeric_arithmetic", Map.of("m_A", 4.2, "m_B", 73.7, "calm", 72.0),
        "kv_arithmetic", Map.of("m_A", 0.7, "m_B", 0.0, "calm", 84.3)));
    details.put("stage_seconds", st.seconds());
    details.put("wall_seconds", Math.round(wall));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("accuracy", accuracy);
    report.put("inference", inference);
    report.put("details", details);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    AtomicFiles.writeString(output.resolve(REPORT), json.writeValueAsString(report) + "\n");
    Path png = CalmReport.plot(accuracy, output.resolve("calm_report.png"));
    String table = CalmReport.table(accuracy);
    out.println();
    out.println(table);
    out.printf(
        "inference (cached generation, time ratios, %s, %s thread): CALM / (m_A + m_B separately) = %s, CALM / m_B = %s, merged LoRA / m_B = %s%n",
        calmBench.get("engine"), calmBench.get("threads"), inference.get("calm_over_separate"), details.get("calm_over_anchor"), inference.get("lora_merged_over_anchor"));
    out.printf("trainable parameters: CALM %,d, LoRA %,d (rank %d), full fine-tune %,d%n", calmParams, loraParams, rank,
        ((Map<?, ?>) details.get("trainable_parameters")).get("full_finetune"));
    out.printf("demo calm: done in %.0f s; report in %s and %s%n", wall, output.resolve(REPORT), png);
    out.flush();
    return new Result(output.resolve(REPORT), png, table);
  }

  @Override
  public String table(Path output) throws IOException {
    JsonNode root = new ObjectMapper().readTree(output.resolve(REPORT).toFile());
    Map<String, Map<String, Double>> accuracy = new LinkedHashMap<>();
    root.get("accuracy").fields().forEachRemaining(task -> {
      Map<String, Double> row = new LinkedHashMap<>();
      task.getValue().fields().forEachRemaining(m -> row.put(m.getKey(), m.getValue().doubleValue()));
      accuracy.put(task.getKey(), row);
    });
    JsonNode inf = root.path("inference");
    return CalmReport.table(accuracy)
        + String.format(Locale.ROOT, "%ninference time ratios (cached generation): CALM / (m_A + m_B separately) = %s, merged LoRA / m_B = %s%n",
            inf.path("calm_over_separate").asText("?"), inf.path("lora_merged_over_anchor").asText("?"));
  }

  private static long parameters(Path modelDir) throws IOException {
    Path adapter = modelDir.resolve(AdapterDirectory.WEIGHTS); // a lora composition's parameters, in PEFT's layout
    Path file = Files.isRegularFile(adapter) ? adapter : modelDir.resolve("model.safetensors");
    return Safetensors.read(file).values().stream().mapToLong(t -> t.shape().size()).sum();
  }
}
