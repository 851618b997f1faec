package dev.tandem.cli;

import dev.tandem.api.compose.BaseModel;
import dev.tandem.api.compose.ComposedModel;
import dev.tandem.api.compose.CompositionStrategy;
import dev.tandem.api.compose.Compositions;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;

/**
 * {@code tandem compose}: composes frozen base models with a strategy (CALM, LoRA, ...) and trains
 * the new parameters only. The output is a composed model directory ({@code composition.json}, the
 * new parameters, the tokenizer) plus metrics and checkpoints, as for {@code sft}.
 *
 * <p>The strategy's options ({@link CompositionStrategy#options()}, listed by {@code tandem
 * strategies}) are set with {@code --option NAME=VALUE} or the flag {@code --NAME VALUE} ({@code -}
 * and {@code _} alike), for any strategy, a plugin's included, with no CLI change. An {@code
 * --option} the strategy does not declare goes to the objective.
 */
@Command(
    name = "compose",
    description = {
      "Compose frozen models (--strategy calm: anchor + augmenting models through cross-attention; lora: a low-rank adapter on the anchor) and train the new parameters only.",
      "The strategy's options (tandem strategies lists them) are set with --option NAME=VALUE or --NAME VALUE, e.g. --connect-every 2 (calm), --rank 4 (lora)."
    })
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

  @Unmatched List<String> strategyFlags = new ArrayList<>();

  @Option(names = "--merge", description = "Also write the composition merged into plain weights to OUTPUT/merged (strategies that can merge: lora).")
  boolean merge;

  @Option(names = "--resume", description = "Continue from the newest checkpoint in --output.")
  boolean resume;

  @Option(names = "--objective", defaultValue = "sft", description = "Objective name (default: ${DEFAULT-VALUE}).")
  String objectiveName;

  @Option(names = {"--strict-length", "--strict_length"}, description = "Fail on an example longer than the context instead of skipping and reporting it.")
  boolean strictLength;

  /**
   * The values given for the strategy's declared options: {@code --option NAME=VALUE} pairs whose
   * name the strategy declares (removed from {@code optionPairs}, the rest are the objective's) and
   * the flags picocli did not match, {@code --NAME VALUE} or {@code --NAME=VALUE} ({@code -} read as
   * {@code _}; a boolean option's flag alone means true).
   *
   * @throws IllegalArgumentException for a flag that names no declared option (listing the
   *     strategy's options), an option given twice, or a value that does not parse
   */
  static Map<String, String> strategyOptions(CompositionStrategy s, Map<String, String> optionPairs, List<String> flags) {
    Map<String, OptionSpec> declared = new LinkedHashMap<>();
    s.options().forEach(o -> declared.put(o.name(), o));
    Map<String, String> values = new LinkedHashMap<>();
    for (var it = optionPairs.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      OptionSpec o = find(declared, e.getKey());
      if (o != null) {
        values.put(o.name(), e.getValue());
        it.remove();
      }
    }
    for (int i = 0; i < flags.size(); i++) {
      String flag = flags.get(i);
      String name = flag.startsWith("--") ? flag.substring(2) : flag;
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      OptionSpec o = flag.startsWith("--") ? find(declared, name) : null;
      if (o == null) {
        throw new IllegalArgumentException(
            "compose: unknown option '" + flag + "': not a flag of tandem compose nor an option of strategy '" + s.name() + "' ("
                + OptionValues.describe(s.options()) + "; see tandem strategies)");
      }
      if (value == null) {
        boolean next = i + 1 < flags.size() && !(o.type() == Boolean.class && flags.get(i + 1).startsWith("--"));
        if (!next && o.type() != Boolean.class) {
          throw new IllegalArgumentException("compose: " + flag + " needs a value (" + o.typeName() + ")");
        }
        value = next ? flags.get(++i) : "true";
      }
      if (values.put(o.name(), value) != null) {
        throw new IllegalArgumentException("compose: option " + o.name() + " of strategy '" + s.name() + "' given twice: give it once");
      }
    }
    OptionValues.parse("strategy '" + s.name() + "'", s.options(), values); // fails early, before the bases load
    return values;
  }

  private static OptionSpec find(Map<String, OptionSpec> declared, String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (OptionSpec o : declared.values()) {
      if (o.name().equals(n) || o.name().replace('-', '_').equals(n.replace('-', '_'))) {
        return o;
      }
    }
    return null;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    var config = training.trainerConfig();
    var optimizer = training.optimizer();
    Tandem tandem = Tandem.create();
    CompositionStrategy s = tandem.composition(strategy);
    Map<String, String> options = strategyOptions(s, objectiveOptions.options, strategyFlags);
    objectiveOptions.alsoNot = ", nor of strategy '" + s.name() + "' (" + OptionValues.describe(s.options()) + ")";
    Objective objective = objectiveOptions.configure(TrainingOptions.sequenceObjective(tandem, objectiveName));
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
        composed.saveMerged(output.resolve("merged"), lm.params().readAll());
        out.printf("compose: merged model in %s%n", output.resolve("merged"));
      }
      out.printf("compose: done at step %d: %s; composed model in %s%s%n", r.steps(), progress.lossSummary(r.lastEvalLoss()), output,
          png == null ? "" : ", curve in " + png);
    }
    return 0;
  }
}
