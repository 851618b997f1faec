package dev.tandem.calm.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.api.bench.Benchmark;
import dev.tandem.api.inject.Experiment;
import dev.tandem.api.inject.ExperimentContext;
import dev.tandem.api.io.AtomicFiles;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.calm.kv.KvArithmetic;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tandem demo calm}: the CALM paper's key-value arithmetic experiment (Table 1), small, end
 * to end through the facade, for {@code --seeds} independent seeds ({@link SeedRun}: keys, data,
 * two base models trained from scratch, the CALM composition and the two baselines on the same data
 * (LoRA on the anchor, merged, with as many trainable parameters; SFT of the whole anchor), greedy
 * exact match of all five on the three tasks over validation and test keys; CALM, LoRA and the full
 * fine-tune keep the checkpoint, and on the first seed the learning rate of a small grid, that scores
 * best on validation KV arithmetic ({@link Tuning}), then the inference
 * cost (interleaved trials, median) on the first seed's models. With {@code --ablations}, every
 * seed also composes the paper's CALM and each of our departures undone alone ({@link Variant}).
 *
 * <p>Writes {@code calm_report.json} (everything but timings: byte-identical for the same options,
 * seeds, engine and threads), {@code calm_report.md} (its tables), {@code calm_timing.json} (stage
 * times, wall time, inference ratios, CALM's overhead op by op where the engine has a profiler),
 * {@code calm_inference.md} (the last two as Markdown) and {@code calm_report.png} (test accuracy with 95% interval
 * error bars). Every cell is a mean over seeds with a 95% t interval over seeds; a comparison holds
 * only when the paired t interval of its difference excludes 0 ({@link
 * dev.tandem.api.train.Intervals}).
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
          new OptionSpec("base-steps", Integer.class, "1500", "training steps of m_A and of m_B (each), per round"),
          new OptionSpec("base-rounds", Integer.class, "2", "at most this many rounds of base-steps for each base model: another round (a third of the rate) while its validation accuracy is below base-target"),
          new OptionSpec("base-target", Double.class, "0.95", "a base model's validation accuracy on its own task that ends its training"),
          new OptionSpec("compose-steps", Integer.class, "1000", "training steps of CALM, LoRA and the full fine-tune, each"),
          new OptionSpec("batch-size", Integer.class, "32", "batch size of every training run"),
          new OptionSpec("base-lr", Float.class, "3e-3", "learning rate of m_A and m_B"),
          new OptionSpec("calm-lr", Float.class, "3e-3", "learning rate of CALM: the centre of the --lr-factors grid"),
          new OptionSpec("lora-lr", Float.class, "3e-3", "learning rate of LoRA: the centre of the --lr-factors grid"),
          new OptionSpec("finetune-lr", Float.class, "1e-3", "learning rate of the full fine-tune of m_B: the centre of the --lr-factors grid"),
          new OptionSpec("lr-factors", String.class, "1,0.3,3", "on the first seed, CALM, LoRA and the full fine-tune each train at their rate times each factor and keep the rate best on validation KV arithmetic; later seeds use it; 1: no grid"),
          new OptionSpec("eval-every", Integer.class, "250", "CALM, LoRA and the full fine-tune write a checkpoint every this many steps and keep the one best on validation KV arithmetic (0: the last only)"),
          new OptionSpec("connect-every", Integer.class, "0", "CALM connects every K-th layer; 0: the strategy's default, every 4th as in the paper"),
          new OptionSpec("eval-examples", Integer.class, "200", "held-out examples per task"),
          new OptionSpec("bench-trials", Integer.class, "15", "timed generation runs per model for the inference ratios"),
          new OptionSpec("seed", Long.class, "1", "the first seed; seed S runs data, keys, models and training from S"),
          new OptionSpec("seeds", Integer.class, "3", "independent runs, seeds S, S+1, ...; every cell is their mean with a 95% t interval over seeds"),
          new OptionSpec("layer-norms", Boolean.class, "true", "CALM's LayerNorms before f_proj and the query (ours; the paper has none)"),
          new OptionSpec("recency", Boolean.class, "true", "CALM's trainable ALiBi recency bias in the cross-attention (ours; the paper has none)"),
          new OptionSpec("cross-heads", Integer.class, "0", "CALM's cross-attention heads; 0: the anchor's (the paper)"),
          new OptionSpec("distractors", Boolean.class, "true", "m_B also trains on random-text 'sum <letters>' prompts (ours; the paper's m_B knows only its task)"),
          new OptionSpec("compose-substitution", Double.class, "0", "fraction of CALM's training data that is KV substitution over the composition's keys"),
          new OptionSpec("ablations", Boolean.class, "false", "also run the ablation rows (the paper's CALM, each departure undone alone, substitution examples) for every seed"));

  /** The report file: deterministic for the same options, seeds, engine and threads. */
  public static final String REPORT = "calm_report.json";

  /** Timings (stages, wall time, the inference ratios): they differ from run to run. */
  public static final String TIMING = "calm_timing.json";

  /** The inference ratios and CALM's overhead op by op, as Markdown (timings: they differ from run to run). */
  public static final String INFERENCE = "calm_inference.md";

  /** The report's tables as Markdown (deterministic, as the report). */
  public static final String TABLES = "calm_report.md";

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
    return List.of(REPORT, "calm_report.png", TABLES, TIMING, INFERENCE);
  }

  @Override
  public int typicalSeconds(String engine) {
    return "tensorflow".equals(engine) ? 1700 : 475; // 3 seeds: 7 min 53 s on a fresh clone, DJL, one thread, with the rate grid on seed 1
  }

  @Override
  public Result run(ExperimentContext ctx) throws Exception {
    OptionValues o = ctx.options();
    Path output = ctx.output();
    PrintWriter out = ctx.out();
    Stages st = new Stages(ctx);
    int seeds = o.getInt("seeds");
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds must be >= 1, not " + seeds);
    }
    long seed0 = o.getLong("seed");
    long t0 = System.nanoTime();
    Files.createDirectories(output);
    Variant main = new Variant("calm", "ours", o.getBoolean("layer-norms"), o.getBoolean("recency"), o.getInt("cross-heads"), o.getBoolean("distractors"),
        o.getDouble("compose-substitution"));
    List<Variant> ablations = o.getBoolean("ablations") ? Variant.ablations(main) : List.of();
    Tuning tuning = new Tuning(o.getString("lr-factors"));
    if (o.getInt("eval-every") < 0) {
      throw new IllegalArgumentException("eval-every must be >= 0, not " + o.getInt("eval-every"));
    }
    KvArithmetic shape = new KvArithmetic(KvArithmetic.Settings.of(o.getInt("keys"), o.getInt("terms"), seed0));
    out.printf("demo calm: %d seed(s) from %d; %d keys per seed: %d for the composition (train), %d validation, %d test%s%n", seeds, seed0, o.getInt("keys"),
        shape.composeKeys().size(), shape.validationKeys().size(), shape.testKeys().size(), ablations.isEmpty() ? "" : "; with " + ablations.size() + " ablation rows");
    List<SeedRun.Result> runs = new ArrayList<>();
    for (int i = 0; i < seeds; i++) {
      long seed = seed0 + i;
      st.seed(seed, "seed " + seed + ": ");
      runs.add(SeedRun.run(st, o, main, ablations, tuning, output.resolve("seed-" + seed), seed));
    }
    st.seed(seed0, "");
    // inference cost on the first seed's models: the models take turns, the median of the trials
    Path first = output.resolve("seed-" + seed0);
    Path firstCalm = runs.get(0).model(main.name());
    Path firstAnchor = runs.get(0).anchor();
    Map<String, Object> calmBench = new LinkedHashMap<>();
    Map<String, Object> loraBench = new LinkedHashMap<>();
    int trials = o.getInt("bench-trials");
    st.stage("bench", () -> {
      calmBench.putAll(st.bench(firstCalm, null, trials, true));
      loraBench.putAll(st.bench(first.resolve("lora").resolve("merged"), firstAnchor, trials, false));
    });

    Map<String, Object> report = report(o, st, runs, main, ablations);
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    AtomicFiles.writeString(output.resolve(REPORT), json.writeValueAsString(report) + "\n");
    String tables = tables(report);
    AtomicFiles.writeString(output.resolve(TABLES), tables);

    Map<String, Object> timing = new LinkedHashMap<>();
    timing.put("engine", st.engineName());
    timing.put("threads", st.threads());
    timing.put("calm_over_separate", calmBench.get("generate_time_over_bases_separately"));
    timing.put("lora_merged_over_anchor", loraBench.get("generate_time_over_baseline"));
    timing.put("calm_over_anchor", calmBench.get("generate_time_over_anchor"));
    timing.put("bench_trials", trials);
    timing.put("bench_models", "seed " + seed0);
    timing.put("calm_generate_tokens_per_second", calmBench.get("compared_generate_tokens_per_second"));
    timing.put("m_A_generate_tokens_per_second", calmBench.get("generate_tokens_per_second_augment0"));
    timing.put("m_B_generate_tokens_per_second", calmBench.get("generate_tokens_per_second_anchor"));
    timing.put("lora_merged_generate_tokens_per_second", loraBench.get("compared_generate_tokens_per_second"));
    @SuppressWarnings("unchecked")
    Map<String, Object> profile = InferenceProfile.of((List<Benchmark.Profiled>) calmBench.get("profiles"), 16);
    timing.put("calm_profile", profile == null ? "the engine has no op profiler" : profile);
    timing.put("stage_seconds", st.seconds());
    double wall = (System.nanoTime() - t0) / 1e9;
    timing.put("wall_seconds", Math.round(wall));
    AtomicFiles.writeString(output.resolve(TIMING), json.writeValueAsString(timing) + "\n");
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Map<String, Object>>> test = (Map<String, Map<String, Map<String, Object>>>) ((Map<String, Object>) report.get("accuracy")).get("test");
    Path png = CalmReport.plot(test, seeds, output.resolve("calm_report.png"));
    String inference = inferenceLine(timing) + "\n\n" + profileTable(timing);
    AtomicFiles.writeString(output.resolve(INFERENCE), inference);
    out.println();
    out.println(tables);
    out.println(inference);
    out.printf("demo calm: done in %.0f s; report in %s (tables in %s, timings in %s) and %s%n", wall, output.resolve(REPORT), output.resolve(TABLES),
        output.resolve(TIMING), png);
    out.flush();
    return new Result(output.resolve(REPORT), png, tables + "\n" + inference);
  }

  /** Everything measured that does not depend on timing. */
  private static Map<String, Object> report(OptionValues o, Stages st, List<SeedRun.Result> runs, Variant main, List<Variant> ablations) {
    Map<String, Object> report = new LinkedHashMap<>();
    Map<String, Object> setup = new LinkedHashMap<>();
    setup.put("engine", st.engineName());
    setup.put("threads", st.threads());
    List<Long> seedList = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) {
      seedList.add(o.getLong("seed") + i);
    }
    setup.put("seeds", seedList);
    setup.put("interval", "95% Student t over seeds (each seed: its own keys, data, bases, compositions and training order); "
        + "comparisons: paired t over seeds of the per-seed difference, held only when the interval excludes 0");
    setup.put("splits", "train: the composition's keys (20%); validation: a quarter of the held-out keys (choices only); "
        + "test: the other held-out keys (reported); numeric arithmetic: independent draws per split");
    Map<String, Object> options = new LinkedHashMap<>();
    for (OptionSpec spec : OPTIONS) {
      options.put(spec.name(), String.valueOf(o.get(spec.name())));
    }
    setup.put("options", options);
    report.put("setup", setup);

    Map<String, Map<String, Map<String, double[]>>> perSeed = CalmReport.perSeed(runs);
    Map<String, Object> accuracy = new LinkedHashMap<>();
    for (var split : perSeed.entrySet()) {
      Map<String, Object> tasks = new LinkedHashMap<>();
      for (var task : split.getValue().entrySet()) {
        Map<String, Object> models = new LinkedHashMap<>();
        for (var m : task.getValue().entrySet()) {
          models.put(m.getKey(), CalmReport.cell(m.getValue()));
        }
        tasks.put(task.getKey(), models);
      }
      accuracy.put(split.getKey(), tasks);
    }
    report.put("accuracy", accuracy);

    Map<String, Map<String, double[]>> test = perSeed.get("test");
    List<Map<String, Object>> comparisons = new ArrayList<>();
    Map<String, double[]> kva = test.get("kv_arithmetic");
    comparisons.add(CalmReport.compare("CALM > best of m_A, m_B, LoRA, full fine-tune on KV arithmetic", kva.get("calm"),
        CalmReport.best(kva, List.of("m_A", "m_B", "lora", "full_finetune"))));
    comparisons.add(CalmReport.compare("CALM > LoRA on KV arithmetic", kva.get("calm"), kva.get("lora")));
    comparisons.add(CalmReport.compare("CALM > full fine-tune on KV arithmetic", kva.get("calm"), kva.get("full_finetune")));
    Map<String, double[]> num = test.get("numeric_arithmetic");
    comparisons.add(CalmReport.compare("CALM > m_B on numeric arithmetic (CALM keeps m_B's skill if not reversed)", num.get("calm"), num.get("m_B")));
    comparisons.add(CalmReport.compare("CALM > LoRA on numeric arithmetic", num.get("calm"), num.get("lora")));
    comparisons.add(CalmReport.compare("CALM > full fine-tune on numeric arithmetic", num.get("calm"), num.get("full_finetune")));
    Map<String, double[]> sub = test.get("kv_substitution");
    comparisons.add(CalmReport.compare("CALM > m_B on KV substitution", sub.get("calm"), sub.get("m_B")));
    comparisons.add(CalmReport.compare("m_A > CALM on KV substitution", sub.get("m_A"), sub.get("calm")));
    report.put("comparisons", comparisons);

    if (!ablations.isEmpty()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      for (Variant v : ablations) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("variant", v.name());
        row.put("differs", v.label());
        for (String task : CalmReport.TASKS) {
          row.put(task, CalmReport.cell(test.get(task).get(v.name())));
        }
        for (String task : CalmReport.TASKS) {
          row.put("ours_minus_this_" + task, CalmReport.compare("ours > " + v.name() + " on " + task.replace('_', ' '),
              test.get(task).get(main.name()), test.get(task).get(v.name())));
        }
        rows.add(row);
      }
      report.put("ablations", rows);
    }

    // where CALM's errors sit (test split, mean over seeds): per operand position, all operands, value given the operands
    Map<String, Object> errors = new LinkedHashMap<>();
    List<String> who = new ArrayList<>(List.of("m_A", "calm"));
    for (Variant v : ablations) {
      who.add(v.name());
    }
    for (String task : List.of("kv_substitution", "kv_arithmetic")) {
      Map<String, Object> byModel = new LinkedHashMap<>();
      for (String m : who) {
        Map<String, Object> mean = new LinkedHashMap<>();
        for (String k : runs.get(0).scores().get("test").get(task).get(m).breakdown().keySet()) {
          // value_given_operands is undefined for a seed whose operands are never all right: left out
          double[] v = runs.stream().mapToDouble(r -> r.scores().get("test").get(task).get(m).breakdown().get(k)).filter(x -> !Double.isNaN(x)).toArray();
          if (v.length > 0) {
            mean.put(k, CalmReport.cell(v));
          }
        }
        byModel.put(m, mean);
      }
      errors.put(task, byModel);
    }
    report.put("error_breakdown", errors);

    // how each base model's rounds, and each composition's and baseline's rate (a grid on the first
    // seed) and checkpoint, were chosen on the validation split: per model, one entry per seed
    report.put("base_training", perSeed(runs, runs.get(0).bases().keySet(), (r, m) -> r.bases().get(m).toReport()));
    report.put("compose_training", perSeed(runs, runs.get(0).kept().keySet(), (r, m) -> r.kept().get(m).toReport()));

    Map<String, Object> params = new LinkedHashMap<>(runs.get(0).trainableParameters());
    params.put("lora_rank", runs.get(0).loraRank());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("trainable_parameters", params);
    // ordered maps: Map.of iterates in an order drawn per JVM, and the report must be byte-identical
    Map<String, Object> paper = new LinkedHashMap<>();
    paper.put("kv_substitution", paperRow(98.1, 0.0, 92.9));
    paper.put("numeric_arithmetic", paperRow(4.2, 73.7, 72.0));
    paper.put("kv_arithmetic", paperRow(0.7, 0.0, 84.3));
    details.put("paper_table_1_percent", paper);
    report.put("details", details);
    return report;
  }

  /** {@code entry(run, model)} for every model and seed, by model. */
  private static Map<String, Object> perSeed(List<SeedRun.Result> runs, java.util.Set<String> models,
      java.util.function.BiFunction<SeedRun.Result, String, Map<String, Object>> entry) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String m : models) {
      out.put(m, runs.stream().map(r -> entry.apply(r, m)).toList());
    }
    return out;
  }

  private static Map<String, Double> paperRow(double mA, double mB, double calm) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("m_A", mA);
    m.put("m_B", mB);
    m.put("calm", calm);
    return m;
  }

  /** The report's tables as Markdown: test and validation accuracy, comparisons, ablations, error breakdown. */
  @SuppressWarnings("unchecked")
  static String tables(Map<String, Object> report) {
    Map<String, Object> setup = (Map<String, Object>) report.get("setup");
    Map<String, Object> acc = (Map<String, Object>) report.get("accuracy");
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "engine %s, %s thread(s), seeds %s; accuracy in %%, mean [95%% t interval over seeds]%n%n", setup.get("engine"),
        setup.get("threads"), setup.get("seeds")));
    sb.append("test keys:\n\n").append(CalmReport.mainTable((Map<String, Map<String, Map<String, Object>>>) acc.get("test"))).append('\n');
    sb.append("validation keys:\n\n").append(CalmReport.mainTable((Map<String, Map<String, Map<String, Object>>>) acc.get("validation"))).append('\n');
    sb.append(CalmReport.comparisons((List<Map<String, Object>>) report.get("comparisons")));
    Map<String, List<Map<String, Object>>> bases = (Map<String, List<Map<String, Object>>>) report.get("base_training");
    if (bases != null) {
      sb.append("\nbase models: validation accuracy (%) on their own task after each round of training, per seed; the round kept in bold\n\n");
      sb.append("| base | task | ").append(String.join(" | ", ((List<Object>) setup.get("seeds")).stream().map(x -> "seed " + x).toList()))
          .append(" |\n| --- | --- |").append(" --- |".repeat(((List<Object>) setup.get("seeds")).size())).append('\n');
      for (var b : bases.entrySet()) {
        sb.append("| ").append(b.getKey()).append(" | ").append(((String) b.getValue().get(0).get("task")).replace('_', ' '));
        for (Map<String, Object> seed : b.getValue()) {
          List<Object> v = (List<Object>) seed.get("validation_per_round");
          int chosen = ((Number) seed.get("chosen_round")).intValue();
          List<String> cells = new ArrayList<>();
          for (int i = 0; i < v.size(); i++) {
            String c = String.format(Locale.ROOT, "%.1f", 100 * CalmReport.num(v.get(i)));
            cells.add(i + 1 == chosen ? "**" + c + "**" : c);
          }
          sb.append(" | ").append(String.join(" -> ", cells));
        }
        sb.append(" |\n");
      }
    }
    Map<String, List<Map<String, Object>>> composed = (Map<String, List<Map<String, Object>>>) report.get("compose_training");
    if (composed != null) {
      sb.append("\ncompositions and baselines: validation KV arithmetic (%) at each checkpoint, per seed and rate (a grid on the first seed only); "
          + "the one kept in bold\n\n");
      sb.append("| model | seed | lr | ").append("validation at steps ... |\n| --- | --- | --- | --- |\n");
      List<Object> seedList = (List<Object>) setup.get("seeds");
      for (var m : composed.entrySet()) {
        for (int i = 0; i < m.getValue().size(); i++) {
          Map<String, Object> seed = m.getValue().get(i);
          for (Map<String, Object> t : (List<Map<String, Object>>) seed.get("tried")) {
            List<Object> steps = (List<Object>) t.get("steps");
            List<Object> v = (List<Object>) t.get("validation_kv_arithmetic");
            boolean keptRate = t.get("lr").equals(seed.get("kept_lr"));
            List<String> cells = new ArrayList<>();
            for (int j = 0; j < v.size(); j++) {
              String c = String.format(Locale.ROOT, "%s: %.1f", steps.get(j), 100 * CalmReport.num(v.get(j)));
              boolean kept = keptRate && ((Number) steps.get(j)).longValue() == ((Number) seed.get("kept_step")).longValue();
              cells.add(kept ? "**" + c + "**" : c);
            }
            sb.append("| ").append(m.getKey()).append(" | ").append(seedList.get(i)).append(" | ").append(t.get("lr")).append(" | ")
                .append(String.join(", ", cells)).append(" |\n");
          }
        }
      }
    }
    List<Map<String, Object>> ablations = (List<Map<String, Object>>) report.get("ablations");
    if (ablations != null) {
      Map<String, Map<String, Object>> test = (Map<String, Map<String, Object>>) acc.get("test");
      sb.append("\nablations (test keys): accuracy, and ours minus the row on KV arithmetic (paired over seeds)\n\n");
      sb.append("| CALM | KV arithmetic | KV substitution | numeric arithmetic | ours - row, KV arithmetic | verdict |\n| --- | --- | --- | --- | --- | --- |\n");
      sb.append("| ours | ").append(CalmReport.percent(test.get("kv_arithmetic").get("calm"))).append(" | ")
          .append(CalmReport.percent(test.get("kv_substitution").get("calm"))).append(" | ")
          .append(CalmReport.percent(test.get("numeric_arithmetic").get("calm"))).append(" | | |\n");
      for (Map<String, Object> row : ablations) {
        Map<String, Object> d = (Map<String, Object>) row.get("ours_minus_this_kv_arithmetic");
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %+.1f [%+.1f, %+.1f] | %s |%n", row.get("differs"), CalmReport.percent(row.get("kv_arithmetic")),
            CalmReport.percent(row.get("kv_substitution")), CalmReport.percent(row.get("numeric_arithmetic")), 100 * CalmReport.num(d.get("difference")),
            100 * CalmReport.num(d.get("low")), 100 * CalmReport.num(d.get("high")), d.get("verdict")));
      }
    }
    Map<String, Map<String, Map<String, Object>>> errors = (Map<String, Map<String, Map<String, Object>>>) report.get("error_breakdown");
    sb.append("\nwhere the errors sit (test keys, % right, mean over seeds): per operand position, all operands, the value when the operands are right\n\n");
    sb.append("| task | model | operand 1 | operand 2 | all operands | value given operands |\n| --- | --- | --- | --- | --- | --- |\n");
    for (var task : errors.entrySet()) {
      for (var m : task.getValue().entrySet()) {
        Map<String, Object> b = m.getValue();
        sb.append("| ").append(task.getKey().replace('_', ' ')).append(" | ").append(m.getKey());
        for (String k : List.of("operand_1", "operand_2", "all_operands", "value_given_operands")) {
          Object cell = b.get(k);
          double mean = cell == null ? Double.NaN : CalmReport.num(((Map<String, Object>) cell).get("mean"));
          sb.append(" | ").append(Double.isNaN(mean) ? "-" : String.format(Locale.ROOT, "%.1f", 100 * mean));
        }
        sb.append(" |\n");
      }
    }
    return sb.toString();
  }

  private static String inferenceLine(Map<String, Object> timing) {
    return String.format(Locale.ROOT,
        "inference (cached generation, time ratios, median of %s interleaved trials, %s, %s thread(s), %s's models): CALM / (m_A + m_B separately) = %s, "
            + "CALM / m_B = %s, merged LoRA / m_B = %s",
        timing.get("bench_trials"), timing.get("engine"), timing.get("threads"), timing.get("bench_models"), timing.get("calm_over_separate"),
        timing.get("calm_over_anchor"), timing.get("lora_merged_over_anchor"));
  }

  /** The op-by-op account of CALM's overhead in {@code timing}, or a line saying the engine had no profiler. */
  @SuppressWarnings("unchecked")
  private static String profileTable(Map<String, Object> timing) {
    Object p = timing.get("calm_profile");
    if (p instanceof Map<?, ?> m) {
      return InferenceProfile.markdown((Map<String, Object>) m, Stages.BENCH_BATCH, Stages.BENCH_NEW_TOKENS);
    }
    return "CALM's overhead op by op: " + (p == null ? "not measured" : p) + "\n";
  }

  @Override
  public String table(Path output) throws IOException {
    ObjectMapper json = new ObjectMapper();
    @SuppressWarnings("unchecked")
    Map<String, Object> report = json.readValue(output.resolve(REPORT).toFile(), Map.class);
    String t = tables(report);
    Path timing = output.resolve(TIMING);
    if (Files.exists(timing)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> tm = json.readValue(timing.toFile(), Map.class);
      t += "\n" + inferenceLine(tm) + "\n\n" + profileTable(tm);
    }
    return t;
  }
}
