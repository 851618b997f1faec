package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.objective.InputLayout;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.train.Evaluation;
import dev.tandem.api.train.PreferenceData;
import dev.tandem.api.train.ReferenceLogProbs;
import dev.tandem.api.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem dpo}: preference optimisation on {@code {"prompt", "chosen", "rejected"}} JSONL with
 * any objective of the layout {@link InputLayout#PREFERENCE_PAIRS} ({@code dpo}, {@code spin} or a
 * plugin's), with the objective's options from {@code --option NAME=VALUE}. The reference is the
 * starting model: its log-probs are computed once, before training, so training holds one model,
 * and not at all for a reference-free objective ({@code simpo}).
 */
@Command(
    name = "dpo",
    defaultValueProvider = PaperDefaults.Dpo.class,
    description = {
      "Preference optimisation (DPO and other pairwise objectives) on prompt/chosen/rejected JSONL; the starting model is the reference.",
      "Writes metrics.jsonl, checkpoints, the final model and loss.png to --output; the last line printed is the evaluation as JSON."
    })
public final class DpoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;
  @Mixin TrainingOptions training;
  @Mixin ObjectiveOptions objectiveOptions;

  @Option(names = "--model", required = true, description = "Model directory to start from (also the reference).")
  Path model;

  @Option(names = {"--data", "--train-data", "--train_data"}, required = true, description = "Preference pairs JSONL.")
  Path data;

  @Option(names = {"--output", "--output-dir", "--output_dir", "-o"}, required = true, description = "Run directory.")
  Path output;

  @Option(names = {"--eval-data", "--eval_data"}, description = "Held-out preference pairs JSONL.")
  Path evalData;

  @Option(names = "--objective", defaultValue = "dpo", description = "A preference objective by name (default: ${DEFAULT-VALUE}).")
  String objectiveName;

  @Option(names = {"--loss", "--loss-type", "--loss_type"}, description = "Shorthand for --option loss=L, for an objective that declares loss (dpo, spin: sigmoid or hinge).")
  String loss;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in --output.")
  boolean resume;

  @Option(names = {"--strict-length", "--strict_length"}, description = "Fail on a pair longer than the context instead of skipping and reporting it.")
  boolean strictLength;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    var config = training.trainerConfig();
    Tandem tandem = Tandem.create();
    Objective objective = objective(tandem);
    try (Engine engine = engineOptions.create(tandem)) {
      LoadedModel lm = training.load(tandem, engine, model);
      List<PreferencePair> train = Datasets.pairs(tandem, lm, data, strictLength, out, "dpo");
      List<PreferencePair> eval = evalData == null ? List.of() : Datasets.pairs(tandem, lm, evalData, strictLength, out, "dpo");
      int[] buckets = Batcher.defaultBuckets(lm.config().nPositions());
      PreferenceBatcher batcher = new PreferenceBatcher(training.batchSize, buckets, lm.tokenizer().padId());
      Batcher rows = tandem.batcher(lm, 2 * training.batchSize);
      out.printf("dpo: %,d pairs, %s, %s, engine %s on %s%n", train.size(), Datasets.describe(lm), objective, engine.name(), engine.device());
      // the reference is the starting model: score once now (a resumed run loads its checkpoint
      // after this), unless the objective is reference-free
      if (objective.needsReference()) {
        try (ReferenceLogProbs ref = new ReferenceLogProbs(engine, lm.model(), lm.params())) {
          train = ref.score(train, rows);
          eval = ref.score(eval, rows);
        }
      } else {
        out.printf("dpo: %s is reference-free: no reference log-probs computed%n", objective.name());
        train = ReferenceLogProbs.unscored(train);
        eval = ReferenceLogProbs.unscored(eval);
      }
      List<List<HostTensor>> evalBatches = PreferenceData.inOrder(eval, batcher);
      Trainer trainer = tandem.trainer(engine, lm, objective, training.optimizer(), config, training.seed, output);
      ProgressListener progress = new ProgressListener("dpo", out);
      trainer.addListener(progress);
      Trainer.Result r = trainer.train(new PreferenceData(train, batcher, training.seed), evalBatches, resume);
      Path png = LossPlot.write(output.resolve("metrics.jsonl"), output.resolve("loss.png"), objective.name() + " loss");
      out.printf("dpo: done at step %d: %s; model in %s%s%n", r.steps(), progress.lossSummary(r.lastEvalLoss()), output, png == null ? "" : ", curve in " + png);
      if (!evalBatches.isEmpty()) {
        Map<String, Double> m = Evaluation.averaged(engine, lm.model(), lm.params(), objective, evalBatches, "pairs");
        Map<String, Object> line = new LinkedHashMap<>();
        m.forEach((k, v) -> line.put("eval_" + k, v));
        out.println(new ObjectMapper().writeValueAsString(line));
      }
    }
    return 0;
  }

  /** The objective by name, configured with --option, --beta and --loss. */
  private Objective objective(Tandem tandem) {
    Map<String, Objective> all = tandem.objectives();
    Objective o = all.get(objectiveName);
    if (o == null || o.inputLayout() != InputLayout.PREFERENCE_PAIRS) {
      String known =
          all.values().stream()
              .filter(x -> x.inputLayout() == InputLayout.PREFERENCE_PAIRS)
              .map(Objective::name)
              .collect(Collectors.toCollection(TreeSet::new))
              .stream()
              .collect(Collectors.joining(", "));
      if (o == null) {
        throw new IllegalArgumentException("unknown objective '" + objectiveName + "', known: " + known);
      }
      throw new IllegalArgumentException(
          "objective '" + objectiveName + "' trains on " + o.inputLayout() + ", not on preference pairs; preference objectives: " + known);
    }
    Map<String, String> shorthands = new java.util.HashMap<>();
    shorthands.put("loss", loss);
    return objectiveOptions.configure(o, shorthands);
  }
}
