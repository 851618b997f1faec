package dev.tandem.spin.demo;

import dev.tandem.api.data.SampleData;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Experiment;
import dev.tandem.api.inject.ExperimentContext;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.TrainingListener;
import dev.tandem.spin.DpoObjective;
import dev.tandem.spin.SpinReport;
import dev.tandem.spin.SpinReportPlot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code tandem demo spin}: the SPIN paper's experiment at small scale (see {@link SpinExperiment})
 * on a synthetic task with exact answers (addition) and on WordNet definitions, over several seeds.
 * Prints the table and writes {@code spin_report.json} ({@link SpinDemoReport}) and {@code
 * spin_report.png} ({@link SpinDemoPlot}).
 */
public final class SpinDemo implements Experiment {
  /** One intra-op thread unless {@code --threads} says otherwise: the report names the count. */
  static final int DEFAULT_THREADS = 1;

  private static final List<OptionSpec> OPTIONS =
      List.of(
          new OptionSpec("tasks", String.class, "addition,wordnet", "tasks to run, comma-separated: addition, wordnet, reversal"),
          new OptionSpec("wordnet-data", String.class, "", "directory with WordNet train.jsonl and dev.jsonl (empty: the bundled 2,000-record sample, which every clone has)"),
          new OptionSpec("seeds", Integer.class, "3", "run seeds (weights, order, sampling): --seed .. --seed + N - 1; intervals are t over seeds"),
          new OptionSpec("seed", Long.class, "1", "the first run seed"),
          new OptionSpec("data-seed", Long.class, "1", "seed of the data and its train/validation/test split (the same for every run seed)"),
          new OptionSpec("iterations", Integer.class, "4", "SPIN iterations (and continued-SFT iterations)"),
          new OptionSpec("betas", String.class, "0.1,1,2", "the grid of SPIN's beta, chosen on validation after iter0 in the first seed"),
          new OptionSpec("loss", DpoObjective.Loss.class, "sigmoid", "SPIN's loss"),
          new OptionSpec("learning-rate", Float.class, "2e-4", "SPIN's and continued SFT's peak learning rate, RMSProp (the paper's 5e-7 is for 7B models)"),
          new OptionSpec("epochs-per-iteration", Integer.class, "2", "SPIN's and continued SFT's epochs per iteration"),
          new OptionSpec("mix-previous", Boolean.class, "true", "mix in the previous iteration's generations"),
          new OptionSpec("temperature", Float.class, "1.0", "the opponent's sampling temperature"),
          new OptionSpec("max-sft-epochs", Integer.class, "0", "SFT's cap in epochs; 0: each task's own, addition 60, wordnet 40"),
          new OptionSpec("patience", Integer.class, "3", "SFT stops after this many epochs without a better validation score"),
          new OptionSpec("sft-learning-rate", Float.class, "0", "SFT's learning rate (AdamW, constant); 0: each task's own, 3e-3"),
          new OptionSpec("batch-size", Integer.class, "0", "SPIN's pairs per update of every task; 0: each task's own"),
          new OptionSpec("train-examples", Integer.class, "0", "training examples of every task; 0: each task's own, addition 1000, wordnet 400"),
          new OptionSpec("validation-examples", Integer.class, "0", "validation examples of every task; 0: each task's own, addition 200, wordnet 100"),
          new OptionSpec("test-examples", Integer.class, "0", "test examples of every task; 0: each task's own, addition 500, wordnet 200"));

  @Override
  public String name() {
    return "spin";
  }

  @Override
  public String description() {
    return "SPIN: self-play fine-tuning on addition and WordNet definitions";
  }

  @Override
  public List<OptionSpec> options() {
    return OPTIONS;
  }

  @Override
  public List<String> reports() {
    return List.of(SpinDemoReport.FILE, "spin_report.png");
  }

  @Override
  public int typicalSeconds(String engine) {
    return "tensorflow".equals(engine) ? 900 : 220; // DJL: 3 min 37 s on a fresh clone, one thread (oneMKL on AMD)
  }

  @Override
  public Result run(ExperimentContext ctx) throws Exception {
    PrintWriter out = ctx.out();
    OptionValues o = ctx.options();
    Path output = ctx.output();
    long t0 = System.nanoTime();
    List<Float> betas = new ArrayList<>();
    for (String b : o.getString("betas").split(",")) {
      betas.add(Float.parseFloat(b.trim()));
    }
    DemoTasks.Settings settings =
        new DemoTasks.Settings(o.getInt("iterations"), betas, o.getEnum("loss", DpoObjective.Loss.class), o.getFloat("learning-rate"),
            o.getInt("epochs-per-iteration"), o.getBoolean("mix-previous"), o.getFloat("temperature"), o.getInt("max-sft-epochs"), o.getInt("patience"),
            o.getFloat("sft-learning-rate"), o.getInt("batch-size"), o.getInt("train-examples"), o.getInt("validation-examples"), o.getInt("test-examples"), o.getLong("data-seed"),
            o.getLong("seed"), o.getInt("seeds"));
    Tandem tandem = ctx.tandem();
    Tokenizer tokenizer = tandem.tokenizer();
    Path data = output.resolve("data");
    Files.createDirectories(data);
    List<DemoTasks.TaskSpec> specs = new ArrayList<>();
    for (String task : o.getString("tasks").split(",")) {
      switch (task.trim()) {
        case "addition" -> specs.add(DemoTasks.addition(data, tokenizer, settings));
        case "reversal" -> specs.add(DemoTasks.synthetic(SyntheticTask.REVERSAL, data, tokenizer, settings));
        case "wordnet" -> {
          Path[] files = wordnetFiles(o.getString("wordnet-data"), data, out);
          specs.add(DemoTasks.wordnet(files[0], files[1], data, tokenizer, settings));
        }
        default -> throw new IllegalArgumentException("unknown task '" + task + "', known: addition, wordnet, reversal");
      }
    }
    List<SpinDemoReport.TaskResult> rows = new ArrayList<>();
    int threads = ctx.threads(DEFAULT_THREADS);
    String engineName;
    try (Engine engine = ctx.engine(DEFAULT_THREADS)) {
      engineName = engine.name();
      out.printf("demo spin: engine %s on %s, %s; seeds %s; %s%n", engine.name(), engine.device(),
          threads > 0 ? threads + " thread(s)" : "default threads", settings.seedList(), settings);
      SpinExperiment experiment = new SpinExperiment(tandem, engine, tokenizer, output, listener(ctx));
      for (DemoTasks.TaskSpec s : specs) {
        long t1 = System.nanoTime();
        rows.add(experiment.run(s, settings));
        out.printf("%s: done in %.0f s%n", s.name(), (System.nanoTime() - t1) / 1e9);
      }
    }
    SpinDemoReport report = new SpinDemoReport(engineName, threads, settings.seedList(), settings.toString(), rows);
    report.write(output.resolve(SpinDemoReport.FILE));
    Path png = SpinDemoPlot.write(report, output.resolve("spin_report.png"));
    out.println();
    out.print(report.table());
    out.printf("report: %s, plot: %s%n", output.resolve(SpinDemoReport.FILE), png);
    out.printf("demo spin: %.0f s in all%n", (System.nanoTime() - t0) / 1e9);
    return new Result(output.resolve(SpinDemoReport.FILE), png, report.table());
  }

  @Override
  public String table(Path output) throws IOException {
    return SpinDemoReport.read(output.resolve(SpinDemoReport.FILE)).table();
  }

  /** The WordNet train and dev files: the option's directory, else the bundled sample. */
  private static Path[] wordnetFiles(String option, Path data, PrintWriter out) throws IOException {
    if (!option.isBlank()) {
      Path dir = Path.of(option);
      out.println("wordnet: data from " + dir);
      return new Path[] {dir.resolve("train.jsonl"), dir.resolve("dev.jsonl")};
    }
    out.println("wordnet: data from the bundled sample (" + SampleData.TRAIN + ", " + SampleData.DEV + ")");
    Path bundled = data.resolve("wordnet-sample");
    return new Path[] {SampleData.extract(SampleData.TRAIN, bundled), SampleData.extract(SampleData.DEV, bundled)};
  }

  /** Progress: messages, a line per SPIN stage, the SPIN trainers' progress. */
  private static SpinExperiment.Listener listener(ExperimentContext ctx) {
    PrintWriter out = ctx.out();
    return new SpinExperiment.Listener() {
      @Override
      public void onMessage(String message) {
        out.println(message);
        out.flush();
      }

      @Override
      public void onStage(Map<String, Object> line) {
        out.println(line.get("stage") + ": " + SpinReport.summary(line));
        out.flush();
      }
    };
  }
}
