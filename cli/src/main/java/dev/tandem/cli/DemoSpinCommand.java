package dev.tandem.cli;

import dev.tandem.api.data.SampleData;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.TrainingListener;
import dev.tandem.spin.DpoObjective;
import dev.tandem.spin.SelfPlay;
import dev.tandem.spin.SpinReport;
import dev.tandem.spin.demo.DemoTasks;
import dev.tandem.spin.demo.SpinExperiment;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem demo spin}: the SPIN paper's experiment at small scale (see {@link SpinExperiment})
 * on a synthetic task with exact answers (addition) and on WordNet definitions.
 */
@Command(
    name = "spin",
    description = {
      "SPIN at small scale: SFT for a short budget, then SPIN iter0..iter3 beside continued SFT for as many steps;",
      "held-out exact match (addition), NLL of human completions and rewards/accuracies after each stage.",
      "Prints the table and writes spin_report.json and spin_report.png to --output."
    })
public final class DemoSpinCommand implements Callable<Integer> {
  /** Where the WordNet files are looked for when --wordnet-data is not given. */
  static final Path SHARED_WORDNET = Path.of("..", "shared", "data", "wordnet-definitions");

  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;

  @Option(names = {"--output", "-o"}, required = true, description = "Experiment directory.")
  Path output;

  @Option(names = "--tasks", split = ",", defaultValue = "addition,wordnet", description = "Tasks to run: addition, wordnet (default: ${DEFAULT-VALUE}).")
  List<String> tasks = new ArrayList<>();

  @Option(names = "--wordnet-data", description = "Directory with WordNet train.jsonl and dev.jsonl (default: ../shared/data/wordnet-definitions if it exists, else the bundled sample).")
  Path wordnetData;

  @Option(names = "--iterations", defaultValue = "4", description = "SPIN iterations (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--beta", defaultValue = "2.0", description = "SPIN's beta (default: ${DEFAULT-VALUE}; the paper's 0.1 degrades these small models, see spin-module/README.md).")
  float beta;

  @Option(names = "--loss", defaultValue = "sigmoid", description = "sigmoid or hinge (default: ${DEFAULT-VALUE}).")
  String loss;

  @Option(names = {"--learning-rate", "--learning_rate"}, defaultValue = "2e-4", description = "SPIN's peak learning rate, RMSProp (default: ${DEFAULT-VALUE}; the paper's 5e-7 is for 7B models).")
  float learningRate;

  @Option(names = {"--epochs-per-iteration", "--epochs_per_iteration"}, defaultValue = "2", description = "SPIN epochs per iteration (default: ${DEFAULT-VALUE}).")
  int epochsPerIteration;

  @Option(names = {"--mix-previous", "--mix_previous"}, arity = "1", defaultValue = "true", description = "Mix in the previous iteration's generations (default: ${DEFAULT-VALUE}).")
  boolean mixPrevious;

  @Option(names = "--temperature", defaultValue = "1.0", description = "The opponent's sampling temperature (default: ${DEFAULT-VALUE}).")
  float temperature;

  @Option(names = {"--sft-steps", "--sft_steps"}, defaultValue = "0", description = "The SFT budget of every task; 0: each task's own (default: ${DEFAULT-VALUE}).")
  int sftSteps;

  @Option(names = {"--batch-size", "--batch_size"}, defaultValue = "0", description = "SPIN's pairs per update of every task; 0: each task's own (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = {"--train-examples", "--train_examples"}, defaultValue = "0", description = "Training examples of every task; 0: each task's own, addition 2000, wordnet 400 (default: ${DEFAULT-VALUE}).")
  int trainExamples;

  @Option(names = {"--held-out-examples", "--held_out_examples"}, defaultValue = "0", description = "Held-out examples of every task; 0: each task's own, addition 500, wordnet 100 (default: ${DEFAULT-VALUE}).")
  int heldOutExamples;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of data, weights, order and sampling (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    DemoTasks.Settings settings =
        new DemoTasks.Settings(iterations, beta, DpoObjective.Loss.parse(loss), learningRate, epochsPerIteration, mixPrevious, temperature, sftSteps, batchSize, trainExamples, heldOutExamples, seed);
    Tandem tandem = Tandem.create();
    Tokenizer tokenizer = tandem.tokenizer();
    Path data = output.resolve("data");
    Files.createDirectories(data);
    List<SpinExperiment.TaskSpec> specs = new ArrayList<>();
    for (String task : tasks) {
      switch (task.trim()) {
        case "addition" -> specs.add(DemoTasks.addition(data, tokenizer, settings));
        case "reversal" -> specs.add(DemoTasks.synthetic(dev.tandem.spin.demo.SyntheticTask.REVERSAL, data, tokenizer, settings, 600));
        case "wordnet" -> {
          Path[] files = wordnetFiles(data, out);
          specs.add(DemoTasks.wordnet(files[0], files[1], data, tokenizer, settings));
        }
        default -> throw new IllegalArgumentException("unknown task '" + task + "', known: addition, wordnet");
      }
    }
    List<SpinReport.Task> rows = new ArrayList<>();
    try (Engine engine = engineOptions.create(tandem)) {
      out.printf("demo spin: engine %s on %s; %s%n", engine.name(), engine.device(), settings);
      SpinExperiment experiment = new SpinExperiment(tandem, engine, tokenizer, output, listener(out));
      for (SpinExperiment.TaskSpec s : specs) {
        long t1 = System.nanoTime();
        rows.add(experiment.run(s));
        out.printf("%s: done in %.0f s%n", s.name(), (System.nanoTime() - t1) / 1e9);
      }
    }
    SpinCommand.writeReport(new SpinReport(rows), output, out);
    out.printf("demo spin: %.0f s in all%n", (System.nanoTime() - t0) / 1e9);
    return 0;
  }

  /** The WordNet train and dev files: --wordnet-data, else ../shared/data, else the bundled sample. */
  private Path[] wordnetFiles(Path data, PrintWriter out) throws java.io.IOException {
    Path dir = wordnetData;
    if (dir == null && Files.isRegularFile(SHARED_WORDNET.resolve("train.jsonl"))) {
      dir = SHARED_WORDNET;
    }
    if (dir != null) {
      out.println("wordnet: data from " + dir);
      return new Path[] {dir.resolve("train.jsonl"), dir.resolve("dev.jsonl")};
    }
    out.println("wordnet: data from the bundled sample (" + SampleData.TRAIN + ", " + SampleData.DEV + ")");
    Path bundled = data.resolve("wordnet-sample");
    return new Path[] {SampleData.extract(SampleData.TRAIN, bundled), SampleData.extract(SampleData.DEV, bundled)};
  }

  private static SpinExperiment.Listener listener(PrintWriter out) {
    SelfPlay.Listener base = SpinCommand.listener(out);
    return new SpinExperiment.Listener() {
      @Override
      public void onMessage(String message) {
        base.onMessage(message);
      }

      @Override
      public TrainingListener training(int iteration) {
        return base.training(iteration);
      }

      @Override
      public void onStage(Map<String, Object> line) {
        base.onStage(line);
      }

      @Override
      public TrainingListener supervised(String task, String stage) {
        return new ProgressListener(task + " " + stage, out);
      }
    };
  }
}
