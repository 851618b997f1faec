package dev.tandem.cli;

import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.train.SequenceData;
import dev.tandem.api.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tandem sft}: supervised fine-tuning on prompt/completion, messages or text JSONL. */
@Command(name = "sft", description = "Supervised fine-tuning; writes metrics.jsonl, checkpoints, the final model and loss.png to --output.")
public final class SftCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;
  @Mixin TrainingOptions training;
  @Mixin ObjectiveOptions objectiveOptions;

  @Option(names = "--model", required = true, description = "Model directory to start from.")
  Path model;

  @Option(names = {"--data", "--train-data", "--train_data"}, required = true, description = "Training JSONL.")
  Path data;

  @Option(names = {"--output", "--output-dir", "--output_dir", "-o"}, required = true, description = "Run directory.")
  Path output;

  @Option(names = {"--eval-data", "--eval_data"}, description = "Evaluation JSONL (eval_loss in metrics.jsonl).")
  Path evalData;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in --output.")
  boolean resume;

  @Option(names = "--objective", defaultValue = "sft", description = "Objective name (default: ${DEFAULT-VALUE}).")
  String objectiveName;

  @Option(names = {"--strict-length", "--strict_length"}, description = "Fail on an example longer than the context instead of skipping and reporting it.")
  boolean strictLength;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    var config = training.trainerConfig();
    var optimizer = training.optimizer();
    Tandem tandem = Tandem.create();
    Objective objective = objectiveOptions.configure(TrainingOptions.sequenceObjective(tandem, objectiveName));
    try (Engine engine = engineOptions.create(tandem)) {
      LoadedModel lm = training.load(tandem, engine, model);
      Batcher batcher = tandem.batcher(lm, training.batchSize);
      List<Example> train = Datasets.examples(tandem, lm, data, strictLength, out, "sft");
      List<List<HostTensor>> eval =
          evalData == null ? List.of() : SequenceData.inOrder(Datasets.examples(tandem, lm, evalData, strictLength, out, "sft"), batcher, training.batchSize);
      out.printf("sft: %,d examples, %s, engine %s on %s%n", train.size(), Datasets.describe(lm), engine.name(), engine.device());
      Trainer trainer = tandem.trainer(engine, lm, objective, optimizer, config, training.seed, output);
      ProgressListener progress = new ProgressListener("sft", out);
      trainer.addListener(progress);
      Trainer.Result r = trainer.train(new SequenceData(train, batcher, training.batchSize, training.seed), eval, resume);
      Path png = LossPlot.write(output.resolve("metrics.jsonl"), output.resolve("loss.png"), "SFT loss");
      out.printf("sft: done at step %d: %s; model in %s%s%n", r.steps(), progress.lossSummary(r.lastEvalLoss()), output,
          png == null ? "" : ", curve in " + png);
    }
    return 0;
  }

}
