package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.io.ModelConfigs;
import dev.tandem.api.io.Safetensors;
import dev.tandem.calm.LoraModel;
import dev.tandem.calm.kv.KvArithmetic;
import java.awt.Color;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem demo calm}: the CALM paper's key-value arithmetic experiment (Table 1), small, end to
 * end through the CLI's own commands: data, two base models trained from scratch ({@code init},
 * {@code sft}), the CALM composition and the two baselines on the same data ({@code compose
 * --strategy calm}, {@code compose --strategy lora --merge} with as many trainable parameters,
 * {@code sft} of the whole anchor), greedy exact match of all five on the three tasks ({@code
 * eval}), and the inference cost ({@code bench}). Writes {@code calm_report.json} and {@code
 * calm_report.png} to {@code --output}.
 */
@Command(
    name = "calm",
    description = "Run the CALM key-value arithmetic experiment end to end and write calm_report.json and calm_report.png.")
public final class DemoCalmCommand implements Callable<Integer> {
  /** Tasks, as in the report. */
  static final List<String> TASKS = List.of("kv_substitution", "numeric_arithmetic", "kv_arithmetic");

  /** Models, as in the report. */
  static final List<String> MODELS = List.of("m_A", "m_B", "calm", "lora", "full_finetune");

  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = {"--output", "-o"}, required = true, description = "Directory for data, models and the report.")
  Path output;

  @Option(names = "--keys", defaultValue = "100", description = "Number of keys; the composition trains on 20% of them (default: ${DEFAULT-VALUE}).")
  int keys;

  @Option(names = "--terms", defaultValue = "2", description = "Operands per expression (default: ${DEFAULT-VALUE}).")
  int terms;

  @Option(names = "--layers", defaultValue = "4", description = "Blocks of each base model (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--heads", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = {"--d-model", "--d_model"}, defaultValue = "64", description = "Width of the base models (default: ${DEFAULT-VALUE}).")
  int dModel;

  @Option(names = "--context", defaultValue = "48", description = "Context length (default: ${DEFAULT-VALUE}).")
  int context;

  @Option(names = "--base-steps", defaultValue = "3000", description = "Training steps of m_A and of m_B (default: ${DEFAULT-VALUE}).")
  int baseSteps;

  @Option(names = "--compose-steps", defaultValue = "1000", description = "Training steps of CALM, LoRA and the full fine-tune, each (default: ${DEFAULT-VALUE}).")
  int composeSteps;

  @Option(names = {"--batch-size", "--batch_size"}, defaultValue = "32", description = "Batch size of every training run (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--base-lr", defaultValue = "3e-3", description = "Learning rate of m_A and m_B (default: ${DEFAULT-VALUE}).")
  String baseLr;

  @Option(names = "--calm-lr", defaultValue = "3e-3", description = "Learning rate of CALM (default: ${DEFAULT-VALUE}).")
  String calmLr;

  @Option(names = "--lora-lr", defaultValue = "3e-3", description = "Learning rate of LoRA (default: ${DEFAULT-VALUE}).")
  String loraLr;

  @Option(names = "--finetune-lr", defaultValue = "1e-3", description = "Learning rate of the full fine-tune of m_B (default: ${DEFAULT-VALUE}).")
  String finetuneLr;

  @Option(names = {"--connect-every", "--connect_every"}, description = "CALM connects every K-th layer (default: the strategy's, every 4th as in the paper).")
  Integer connectEvery;

  @Option(names = "--eval-examples", defaultValue = "200", description = "Held-out examples per task (default: ${DEFAULT-VALUE}).")
  int evalExamples;

  @Option(names = "--bench-trials", defaultValue = "15", description = "Timed generation runs per model for the inference ratios (default: ${DEFAULT-VALUE}).")
  int benchTrials;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of data and models (default: ${DEFAULT-VALUE}).")
  long seed;

  private PrintWriter out;
  private final Map<String, Double> seconds = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    Files.createDirectories(output);
    Path data = output.resolve("data");
    KvArithmetic kv = new KvArithmetic(KvArithmetic.Settings.of(keys, terms, seed));
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
    stage("init", () -> {
      cli("init", "--output", mA.resolve("init").toString(), "--layers", "" + layers, "--heads", "" + heads, "--d-model", "" + dModel, "--context", "" + context, "--seed", "" + (seed + 10));
      cli("init", "--output", mB.resolve("init").toString(), "--layers", "" + layers, "--heads", "" + heads, "--d-model", "" + dModel, "--context", "" + context, "--seed", "" + (seed + 11));
    });
    stage("train m_A (KV substitution)", () -> train("sft", "--model", mA.resolve("init").toString(), "--data", aTrain.toString(), "--output", mA.toString(), "--max-steps", "" + baseSteps, "--learning-rate", baseLr));
    stage("train m_B (numeric arithmetic)", () -> train("sft", "--model", mB.resolve("init").toString(), "--data", bTrain.toString(), "--output", mB.toString(), "--max-steps", "" + baseSteps, "--learning-rate", baseLr));
    List<String> calmArgs = new ArrayList<>(List.of("compose", "--strategy", "calm", "--anchor", mB.toString(), "--augment", mA.toString(), "--data", cTrain.toString(), "--output", calm.toString(), "--max-steps", "" + composeSteps, "--learning-rate", calmLr));
    if (connectEvery != null) {
      calmArgs.addAll(List.of("--connect-every", "" + connectEvery));
    }
    stage("compose CALM", () -> train(calmArgs.toArray(String[]::new)));
    long calmParams = Safetensors.read(calm.resolve("model.safetensors")).values().stream().mapToLong(t -> t.shape().size()).sum();
    long perRank = LoraModel.parametersPerRank(ModelConfigs.read(mB.resolve("config.json")), LoraModel.DEFAULT_TARGETS);
    int rank = (int) Math.max(1, Math.round((double) calmParams / perRank));
    stage("compose LoRA", () -> train("compose", "--strategy", "lora", "--anchor", mB.toString(), "--data", cTrain.toString(), "--output", lora.toString(), "--lora-rank", "" + rank, "--merge", "--max-steps", "" + composeSteps, "--learning-rate", loraLr));
    long loraParams = Safetensors.read(lora.resolve("model.safetensors")).values().stream().mapToLong(t -> t.shape().size()).sum();
    stage("fine-tune m_B fully", () -> train("sft", "--model", mB.toString(), "--data", cTrain.toString(), "--output", full.toString(), "--max-steps", "" + composeSteps, "--learning-rate", finetuneLr));

    Map<String, Path> models = new LinkedHashMap<>();
    models.put("m_A", mA);
    models.put("m_B", mB);
    models.put("calm", calm);
    models.put("lora", lora);
    models.put("full_finetune", full);
    Map<String, Map<String, Double>> accuracy = new LinkedHashMap<>();
    stage("evaluate", () -> {
      for (String task : TASKS) {
        Map<String, Double> row = new LinkedHashMap<>();
        for (var m : models.entrySet()) {
          row.put(m.getKey(), exactMatch(m.getValue(), evals.get(task)));
        }
        accuracy.put(task, row);
      }
    });
    Map<String, Object> calmBench = new LinkedHashMap<>();
    Map<String, Object> loraBench = new LinkedHashMap<>();
    stage("bench", () -> {
      calmBench.putAll(bench("--model", calm.toString()));
      loraBench.putAll(bench("--model", lora.resolve("merged").toString(), "--baseline", mB.toString()));
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
    details.put("trainable_parameters", Map.of("calm", calmParams, "lora", loraParams, "lora_rank", rank, "full_finetune",
        Safetensors.read(mB.resolve("model.safetensors")).values().stream().mapToLong(t -> t.shape().size()).sum()));
    details.put("keys", Map.of("total", keys, "composition", kv.composeKeys().size(), "held_out", kv.heldOutKeys().size()));
    details.put("models", Map.of("layers", layers, "heads", heads, "d_model", dModel, "context", context));
    details.put("steps", Map.of("base", baseSteps, "compose", composeSteps, "batch_size", batchSize));
    details.put("eval_examples_per_task", evalExamples);
    details.put("paper_table_1_percent", Map.of(
        "kv_substitution", Map.of("m_A", 98.1, "m_B", 0.0, "calm", 92.9),
        "numeric_arithmetic", Map.of("m_A", 4.2, "m_B", 73.7, "calm", 72.0),
        "kv_arithmetic", Map.of("m_A", 0.7, "m_B", 0.0, "calm", 84.3)));
    details.put("stage_seconds", seconds);
    details.put("wall_seconds", Math.round(wall));
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("accuracy", accuracy);
    report.put("inference", inference);
    report.put("details", details);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    AtomicFiles.writeString(output.resolve("calm_report.json"), json.writeValueAsString(report) + "\n");
    Path png = plot(accuracy, output.resolve("calm_report.png"));
    out.println();
    out.println(table(accuracy));
    out.printf(
        "inference (cached generation, time ratios, %s, %s thread): CALM / (m_A + m_B separately) = %s, CALM / m_B = %s, merged LoRA / m_B = %s%n",
        calmBench.get("engine"), calmBench.get("threads"), inference.get("calm_over_separate"), details.get("calm_over_anchor"), inference.get("lora_merged_over_anchor"));
    out.printf("trainable parameters: CALM %,d, LoRA %,d (rank %d), full fine-tune %,d%n", calmParams, loraParams, rank,
        ((Map<?, ?>) details.get("trainable_parameters")).get("full_finetune"));
    out.printf("demo calm: done in %.0f s; report in %s and %s%n", wall, output.resolve("calm_report.json"), png);
    out.flush();
    return 0;
  }

  /** The accuracy table as Markdown, in percent. */
  static String table(Map<String, Map<String, Double>> accuracy) {
    StringBuilder sb = new StringBuilder("| task | m_A | m_B | CALM | LoRA on m_B | m_B fully fine-tuned |\n| --- | --- | --- | --- | --- | --- |\n");
    for (var row : accuracy.entrySet()) {
      sb.append("| ").append(row.getKey().replace('_', ' '));
      for (String m : MODELS) {
        sb.append(" | ").append(String.format(Locale.ROOT, "%.1f", 100 * row.getValue().get(m)));
      }
      sb.append(" |\n");
    }
    return sb.toString();
  }

  private static Path plot(Map<String, Map<String, Double>> accuracy, Path png) throws Exception {
    System.setProperty("java.awt.headless", "true");
    CategoryChart chart =
        new CategoryChartBuilder().width(900).height(500).title("Key-value arithmetic, greedy exact match on held-out keys")
            .xAxisTitle("task").yAxisTitle("accuracy (%)").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(100.0);
    List<String> names = List.of("m_A", "m_B", "CALM", "LoRA on m_B", "m_B fully fine-tuned");
    List<String> tasks = new ArrayList<>();
    for (String t : TASKS) {
      tasks.add(t.replace('_', ' '));
    }
    for (int i = 0; i < MODELS.size(); i++) {
      List<Double> ys = new ArrayList<>();
      for (String t : TASKS) {
        ys.add(100 * accuracy.get(t).get(MODELS.get(i)));
      }
      chart.addSeries(names.get(i), tasks, ys);
    }
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
    BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return png;
  }

  // ---- running the CLI's own commands -----------------------------------------------------------

  @FunctionalInterface
  private interface Stage {
    void run() throws Exception;
  }

  private void stage(String name, Stage s) throws Exception {
    out.printf("demo calm: %s%n", name);
    out.flush();
    long t = System.nanoTime();
    s.run();
    double secs = (System.nanoTime() - t) / 1e9;
    seconds.put(name, Math.round(secs * 10) / 10.0);
    out.printf("demo calm: %s took %.1f s%n", name, secs);
    out.flush();
  }

  private void train(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--batch-size", "" + batchSize, "--seed", "" + seed, "--logging-steps", "100", "--warmup-ratio", "0.05"));
    all.addAll(engineArgs());
    cli(all.toArray(String[]::new));
  }

  private double exactMatch(Path model, Path data) throws Exception {
    List<String> args = new ArrayList<>(List.of("eval", "--model", model.toString(), "--data", data.toString(), "--batch-size", "50"));
    args.addAll(engineArgs());
    String line = captured(args.toArray(String[]::new));
    Map<?, ?> m = new ObjectMapper().readValue(line, Map.class);
    Object em = m.get("exact_match");
    return em == null ? 0.0 : ((Number) em).doubleValue();
  }

  private Map<String, Object> bench(String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("bench", "--compare-only", "--generate-trials", "" + benchTrials));
    args.addAll(List.of(extra));
    args.addAll(engineArgs());
    String line = captured(args.toArray(String[]::new));
    @SuppressWarnings("unchecked")
    Map<String, Object> m = new ObjectMapper().readValue(line, Map.class);
    return m;
  }

  private List<String> engineArgs() {
    return engineOptions.asArgs(1);
  }

  private void cli(String... args) {
    int code = Main.run(args, out, spec.commandLine().getErr());
    if (code != 0) {
      throw new IllegalStateException("'tandem " + String.join(" ", args) + "' failed (exit " + code + ")");
    }
  }

  /** Runs a command that prints JSON last; returns that line. */
  private String captured(String... args) {
    StringWriter buf = new StringWriter();
    int code = Main.run(args, new PrintWriter(buf, true), spec.commandLine().getErr());
    if (code != 0) {
      throw new IllegalStateException("'tandem " + String.join(" ", args) + "' failed (exit " + code + "):\n" + buf);
    }
    String[] lines = buf.toString().strip().split("\n");
    return lines[lines.length - 1];
  }
}
