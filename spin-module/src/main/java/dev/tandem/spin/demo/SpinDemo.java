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
 * on a synthetic task with exact answers (addition) and on WordNet definitions. Prints the table and
 * writes {@code spin_report.json} and {@code spin_report.png}.
 */
public final class SpinDemo implements Experiment {
  private static final List<OptionSpec> OPTIONS =
      List.of(
          new OptionSpec("tasks", String.class, "addition,wordnet", "tasks to run, comma-separated: addition, wordnet"),
          new OptionSpec("wordnet-data", String.class, "", "directory with WordNet train.jsonl and dev.jsonl (empty: the bundled 2,000-record sample)"),
          new OptionSpec("iterations", Integer.class, "4", "SPIN iterations"),
          new OptionSpec("beta", Float.class, "2.0", "SPIN's beta (the paper's 0.1 degrades these small models, see spin-module/README.md)"),
          new OptionSpec("loss", DpoObjective.Loss.class, "sigmoid", "SPIN's loss"),
          new OptionSpec("learning-rate", Float.class, "2e-4", "SPIN's peak learning rate, RMSProp (the paper's 5e-7 is for 7B models)"),
          new OptionSpec("epochs-per-iteration", Integer.class, "2", "SPIN epochs per iteration"),
          new OptionSpec("mix-previous", Boolean.class, "true", "mix in the previous iteration's generations"),
          new OptionSpec("temperature", Float.class, "1.0", "the opponent's sampling temperature"),
          new OptionSpec("sft-steps", Integer.class, "0", "the SFT budget of every task; 0: each task's own"),
          new OptionSpec("batch-size", Integer.class, "0", "SPIN's pairs per update of every task; 0: each task's own"),
          new OptionSpec("train-examples", Integer.class, "0", "training examples of every task; 0: each task's own, addition 2000, wordnet 400"),
          new OptionSpec("held-out-examples", Integer.class, "0", "held-out examples of every task; 0: each task's own, addition 500, wordnet 100"),
          new OptionSpec("seed", Long.class, "1", "seed of data, weights, order and sampling"));

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
    return List.of(SpinReport.FILE, "spin_report.png");
  }

  @Override
  public int typicalSeconds(String engine) {
    return "tensorflow".equals(engine) ? 240 : 150;
  }

  @Override
  public Result run(ExperimentContext ctx) throws Exception {
    PrintWriter out = ctx.out();
    OptionValues o = ctx.options();
    Path output = ctx.output();
    long t0 = System.nanoTime();
    DemoTasks.Settings settings =
        new DemoTasks.Settings(o.getInt("iterations"), o.getFloat("beta"), o.getEnum("loss", DpoObjective.Loss.class), o.getFloat("learning-rate"),
            o.getInt("epochs-per-iteration"), o.getBoolean("mix-previous"), o.getFloat("temperature"), o.getInt("sft-steps"), o.getInt("batch-size"),
            o.getInt("train-examples"), o.getInt("held-out-examples"), o.getLong("seed"));
    Tandem tandem = ctx.tandem();
    Tokenizer tokenizer = tandem.tokenizer();
    Path data = output.resolve("data");
    Files.createDirectories(data);
    List<SpinExperiment.TaskSpec> specs = new ArrayList<>();
    for (String task : o.getString("tasks").split(",")) {
      switch (task.trim()) {
        case "addition" -> specs.add(DemoTasks.addition(data, tokenizer, settings));
        case "reversal" -> specs.add(DemoTasks.synthetic(SyntheticTask.REVERSAL, data, tokenizer, settings, 600));
        case "wordnet" -> {
          Path[] files = wordnetFiles(o.getString("wordnet-data"), data, out);
          specs.add(DemoTasks.wordnet(files[0], files[1], data, tokenizer, settings));
        }
        default -> throw new IllegalArgumentException("unknown task '" + task + "', known: addition, wordnet");
      }
    }
    List<SpinReport.Task> rows = new ArrayList<>();
    try (Engine engine = ctx.engine()) {
      out.printf("demo spin: engine %s on %s; %s%n", engine.name(), engine.device(), settings);
      SpinExperiment experiment = new SpinExperiment(tandem, engine, tokenizer, output, listener(ctx));
      for (SpinExperiment.TaskSpec s : specs) {
        long t1 = System.nanoTime();
        rows.add(experiment.run(s));
        out.printf("%s: done in %.0f s%n", s.name(), (System.nanoTime() - t1) / 1e9);
      }
    }
    SpinReport report = new SpinReport(rows);
    Path png = SpinReportPlot.writeReport(report, output, out);
    out.printf("demo spin: %.0f s in all%n", (System.nanoTime() - t0) / 1e9);
    return new Result(output.resolve(SpinReport.FILE), png, report.table());
  }

  @Override
  public String table(Path output) throws IOException {
    return SpinReport.read(output.resolve(SpinReport.FILE)).table();
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

  /** Progress: messages, a line per stage, the trainers' progress. */
  private static SpinExperiment.Listener listener(ExperimentContext ctx) {
    PrintWriter out = ctx.out();
    return new SpinExperiment.Listener() {
      @Override
      public void onMessage(String message) {
        out.println(message);
        out.flush();
      }

      @Override
      public TrainingListener training(int iteration) {
        return ctx.progress("iter" + iteration);
      }

      @Override
      public void onStage(Map<String, Object> line) {
        out.println(line.get("stage") + ": " + SpinReport.summary(line));
        out.flush();
      }

      @Override
      public TrainingListener supervised(String task, String stage) {
        return ctx.progress(task + " " + stage);
      }
    };
  }
}
