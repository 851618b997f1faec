package dev.tandem.cli;

import dev.tandem.api.data.Example;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.model.LoadedModel;
import dev.tandem.api.train.TrainerConfig;
import dev.tandem.api.train.TrainingListener;
import dev.tandem.spin.SelfPlay;
import dev.tandem.spin.SpinConfig;
import dev.tandem.spin.SpinObjective;
import dev.tandem.spin.SpinReport;
import dev.tandem.spin.SpinReportPlot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tandem spin}: Self-Play Fine-Tuning from an SFT model on the prompts of its SFT data. */
@Command(
    name = "spin",
    defaultValueProvider = PaperDefaults.Spin.class,
    description = {
      "Self-Play Fine-Tuning (Chen et al. 2024): each iteration t, the model θ_t answers every prompt of --data,"
          + " and θ_{t+1} learns to prefer the human answers over θ_t's.",
      "Writes iter-<t>/ (model directories), metrics.jsonl (a line per iteration), spin_report.json and spin_report.png to --output.",
      "Defaults are the paper's (RMSProp, linear schedule, warmup 0.1, learning rate 5e-7 for a 7B model: small models need far more);"
          + " --batch-size counts pairs (each update sees twice as many sequences)."
    })
public final class SpinCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;
  @Mixin TrainingOptions training;
  @Mixin ObjectiveOptions objectiveOptions;

  @Option(names = "--model", required = true, description = "The SFT model to start from (θ_0).")
  Path model;

  @Option(names = {"--data", "--train-data", "--train_data"}, required = true, description = "SFT data (prompt/completion or messages JSONL): the prompts to play and the real responses.")
  Path data;

  @Option(names = {"--output", "--output-dir", "--output_dir", "-o"}, required = true, description = "Run directory.")
  Path output;

  @Option(names = {"--eval-data", "--eval_data"}, description = "Held-out JSONL: rewards/accuracies, NLL and exact match after each iteration.")
  Path evalData;

  @Option(names = "--iterations", defaultValue = "4", description = "Self-play iterations, iter0..iter<N-1> (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = {"--epochs-per-iteration", "--epochs_per_iteration"}, description = "Training epochs per iteration (default: 2; --epochs is the same).")
  Integer epochsPerIteration;

  @Option(names = {"--loss", "--loss-type", "--loss_type"}, description = "Shorthand for --option loss=L: sigmoid or hinge (default: sigmoid; beta's default is 0.1).")
  String loss;

  @Option(names = {"--mix-previous", "--mix_previous"}, arity = "1", defaultValue = "true", description = "Iteration t also trains on iteration t-1's generations: true or false (default: ${DEFAULT-VALUE}).")
  boolean mixPrevious;

  @Option(names = {"--max-new-tokens", "--max_new_tokens"}, defaultValue = "0", description = "Response length limit of the opponent; 0: the longest real response (default: ${DEFAULT-VALUE}).")
  int maxNewTokens;

  @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature of the opponent (default: ${DEFAULT-VALUE}).")
  float temperature;

  @Option(names = {"--top-p", "--top_p"}, defaultValue = "1.0", description = "Nucleus sampling threshold (default: ${DEFAULT-VALUE}).")
  float topP;

  @Option(names = {"--generation-batch-size", "--generation_batch_size"}, defaultValue = "64", description = "Prompts generated together (default: ${DEFAULT-VALUE}).")
  int generationBatchSize;

  @Option(names = {"--exact-match", "--exact_match"}, arity = "1", defaultValue = "true", description = "Also measure greedy exact match on --eval-data: true or false (default: ${DEFAULT-VALUE}).")
  boolean exactMatch;

  @Option(names = "--resume", description = "Continue the run in --output: finished iterations are skipped, a started one continues from its newest checkpoint.")
  boolean resume;

  @Option(names = {"--strict-length", "--strict_length"}, description = "Fail on an example that does not fit the context instead of skipping and reporting it.")
  boolean strictLength;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (training.maxSteps != 0) {
      throw new IllegalArgumentException("spin trains whole epochs per iteration: use --epochs-per-iteration, not --max-steps");
    }
    TrainerConfig tc = training.trainerConfig().withEpochs(epochsPerIteration != null ? epochsPerIteration : training.epochs);
    SpinConfig config =
        new SpinConfig(iterations, objective(), tc, training.optimizer(), training.batchSize,
            mixPrevious, maxNewTokens, temperature, topP, generationBatchSize, exactMatch, training.seed);
    Tandem tandem = Tandem.create();
    try (Engine engine = engineOptions.create(tandem)) {
      LoadedModel lm = tandem.loadModel(engine, model, true);
      List<Example> train = Datasets.examples(tandem, lm, data, strictLength, out, "spin");
      List<Example> eval = evalData == null ? List.of() : Datasets.examples(tandem, lm, evalData, strictLength, out, "spin");
      out.printf("spin: %,d prompts, %,d held out, %s, %s, engine %s on %s%n",
          train.size(), eval.size(), Datasets.describe(lm), config.objective(), engine.name(), engine.device());
      SelfPlay.Result r =
          new SelfPlay(tandem, engine, lm, config, output)
              .addListener(listener(out))
              .run(train, eval, strictLength ? SkipReport.strict() : SkipReport.collecting(), resume);
      String task = evalData == null ? "train" : stem(evalData);
      SpinReport report = new SpinReport(List.of(SpinReport.task(task, r.stages())));
      writeReport(report, output, out);
    }
    return 0;
  }

  /** SPIN's objective with --option, --beta and --loss. */
  private SpinObjective objective() {
    Map<String, String> shorthands = new java.util.HashMap<>();
    shorthands.put("loss", loss);
    return (SpinObjective) objectiveOptions.configure(new SpinObjective(), shorthands);
  }

  /** Prints progress: messages, a line per stage, the trainer's progress per iteration. */
  static SelfPlay.Listener listener(PrintWriter out) {
    return new SelfPlay.Listener() {
      @Override
      public void onMessage(String message) {
        out.println(message);
        out.flush();
      }

      @Override
      public TrainingListener training(int iteration) {
        return new ProgressListener("iter" + iteration, out);
      }

      @Override
      public void onStage(Map<String, Object> line) {
        out.println(line.get("stage") + ": " + summary(line));
        out.flush();
      }
    };
  }

  /** The evaluation and throughput fields of a stage line, {@code key=value ...}. */
  static String summary(Map<String, Object> line) {
    return SpinReport.summary(line);
  }

  /** Writes {@code spin_report.json} and {@code spin_report.png} and prints the table. */
  static void writeReport(SpinReport report, Path output, PrintWriter out) throws java.io.IOException {
    SpinReportPlot.writeReport(report, output, out);
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.indexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
