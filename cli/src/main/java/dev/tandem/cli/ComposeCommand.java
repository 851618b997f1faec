package dev.tandem.cli;

import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.ComposedModel;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.compose.Compositions;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.LoadedModel;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.tensor.HostTensor;
import dev.tandem.api.train.SequenceData;
import dev.tandem.api.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tandem compose}: composes frozen base models with a strategy (CALM, LoRA, ...) and trains
 * the new parameters only. The output is a composed model directory ({@code composition.json}, the
 * new parameters, the tokenizer) plus metrics and checkpoints, as for {@code sft}.
 */
@Command(
    name = "compose",
    description = "Compose frozen models (--strategy calm: anchor + augmenting models through cross-attention; lora: a low-rank adapter on the anchor) and train the new parameters only.")
public final class ComposeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin EngineOptionsMixin engineOptions;
  @Mixin TrainingOptions training;
  @Mixin ObjectiveOptions objectiveOptions;

  @Option(names = "--strategy", required = true, description = "Composition strategy: calm or lora (or a plugin's).")
  String strategy;

  @Option(names = "--anchor", required = true, description = "The anchor model directory (its head and vocabulary are kept).")
  Path anchor;

  @Option(names = "--augment", description = "An augmenting model directory; repeat for several.")
  List<Path> augments = new ArrayList<>();

  @Option(names = {"--data", "--train-data", "--train_data"}, required = true, description = "Training JSONL.")
  Path data;

  @Option(names = {"--output", "--output-dir", "--output_dir", "-o"}, required = true, description = "The composed model directory (and run directory).")
  Path output;

  @Option(names = {"--eval-data", "--eval_data"}, description = "Evaluation JSONL (eval_loss in metrics.jsonl).")
  Path evalData;

  @Option(names = {"--connect-every", "--connect_every"}, description = "calm: connect every K-th layer (default 4, or the anchor's depth if smaller).")
  Integer connectEvery;

  @Option(names = "--connections", description = "calm: explicit AUG_LAYER:ANCHOR_LAYER pairs, e.g. 1:1,3:3 (0-based blocks).")
  String connections;

  @Option(names = {"--lora-rank", "--lora_rank", "--lora-r", "--lora_r"}, description = "lora: the rank (default 8).")
  Integer loraRank;

  @Option(names = {"--lora-alpha", "--lora_alpha"}, description = "lora: alpha; the scale is alpha / rank (default: the rank).")
  Float loraAlpha;

  @Option(names = "--merge", description = "Also write the composition merged into plain weights to OUTPUT/merged (strategies that can merge: lora).")
  boolean merge;

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
    CompositionStrategy s = tandem.composition(strategy);
    Objective objective = objectiveOptions.configure(TrainingOptions.sequenceObjective(tandem, objectiveName));
    Map<String, String> options = new LinkedHashMap<>();
    if (connectEvery != null) {
      options.put("connect_every", connectEvery.toString());
    }
    if (connections != null) {
      options.put("connections", connections);
    }
    if (loraRank != null) {
      options.put("rank", loraRank.toString());
    }
    if (loraAlpha != null) {
      options.put("alpha", loraAlpha.toString());
    }
    List<BaseModel> bases = Compositions.loadBases(anchor, augments);
    try (Engine engine = engineOptions.create(tandem)) {
      LoadedModel lm = Compositions.create(engine, s, bases, options, training.seed);
      ComposedModel composed = lm.composition().orElseThrow();
      if (merge && !composed.composition().mergeable()) {
        throw new IllegalArgumentException("strategy " + strategy + " cannot be merged into plain weights (--merge)");
      }
      Batcher batcher = tandem.batcher(lm, training.batchSize);
      List<Example> train = Datasets.examples(tandem, lm, data, strictLength, out, "compose");
      List<List<HostTensor>> eval =
          evalData == null ? List.of() : SequenceData.inOrder(Datasets.examples(tandem, lm, evalData, strictLength, out, "compose"), batcher, training.batchSize);
      out.printf(
          "compose: %s, %s; %,d trainable parameters of %,d; %,d examples; engine %s on %s%n",
          strategy, composed.settings(), lm.params().count(true), lm.params().count(false), train.size(), engine.name(), engine.device());
      Trainer trainer = tandem.trainer(engine, lm, objective, optimizer, config, training.seed, output);
      ProgressListener progress = new ProgressListener("compose", out);
      trainer.addListener(progress);
      Trainer.Result r = trainer.train(new SequenceData(train, batcher, training.batchSize, training.seed), eval, resume);
      Path png = LossPlot.write(output.resolve("metrics.jsonl"), output.resolve("loss.png"), strategy + " composition loss");
      if (merge) {
        Map<String, HostTensor> merged =
            composed.merge(lm.params().readAll())
                .orElseThrow(() -> new IllegalArgumentException("strategy " + strategy + " cannot be merged into plain weights"));
        ModelDirectory anchorDir = composed.anchor().directory();
        ModelDirectory.save(output.resolve("merged"), anchorDir.config(), anchorDir.tokenizer(), merged);
        out.printf("compose: merged model in %s%n", output.resolve("merged"));
      }
      out.printf("compose: done at step %d: %s; composed model in %s%s%n", r.steps(), progress.lossSummary(r.lastEvalLoss()), output,
          png == null ? "" : ", curve in " + png);
    }
    return 0;
  }
}
