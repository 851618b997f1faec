package dev.tandem.cli;

import dev.tandem.api.data.Example;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Workflow;
import dev.tandem.api.inject.WorkflowContext;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.train.TrainerConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
  /** The workflow this command runs, found through ServiceLoader (spin-module's). */
  static final String NAME = "spin";

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
    Tandem tandem = Tandem.create();
    Workflow spin = tandem.workflow(NAME);
    Map<String, String> shorthands = new HashMap<>();
    shorthands.put("loss", loss);
    Objective objective = objectiveOptions.configure(tandem.objective(spin.objective()), shorthands);
    Map<String, String> given = new LinkedHashMap<>();
    given.put("iterations", Integer.toString(iterations));
    given.put("mix-previous", Boolean.toString(mixPrevious));
    given.put("max-new-tokens", Integer.toString(maxNewTokens));
    given.put("temperature", Float.toString(temperature));
    given.put("top-p", Float.toString(topP));
    given.put("generation-batch-size", Integer.toString(generationBatchSize));
    given.put("exact-match", Boolean.toString(exactMatch));
    OptionValues options = OptionValues.parse("workflow '" + NAME + "'", spin.options(), given);
    try (Engine engine = engineOptions.create(tandem)) {
      LoadedModel lm = training.load(tandem, engine, model);
      List<Example> train = Datasets.examples(tandem, lm, data, strictLength, out, NAME);
      List<Example> eval = evalData == null ? List.of() : Datasets.examples(tandem, lm, evalData, strictLength, out, NAME);
      out.printf("spin: %,d prompts, %,d held out, %s, %s, engine %s on %s%n",
          train.size(), eval.size(), Datasets.describe(lm), objective, engine.name(), engine.device());
      String task = evalData == null ? "train" : stem(evalData);
      spin.run(new WorkflowContext(tandem, engine, lm, train, eval, task, objective, tc, training.optimizer(), training.batchSize, training.seed,
          options, output, resume, strictLength, out, name -> new ProgressListener(name, out)));
    }
    return 0;
  }

  private static String stem(Path file) {
    String n = file.getFileName().toString();
    int dot = n.indexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
