package dev.tandem.spin.demo;

import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.data.JsonlDataset;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.io.ModelDirectory;
import dev.tandem.api.model.Gpt;
import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.Evaluation;
import dev.tandem.api.train.LrSchedule;
import dev.tandem.api.train.PreferenceData;
import dev.tandem.api.train.SequenceData;
import dev.tandem.api.train.Trainer;
import dev.tandem.api.train.TrainerConfig;
import dev.tandem.api.train.TrainingListener;
import dev.tandem.spin.SelfPlay;
import dev.tandem.spin.SpinConfig;
import dev.tandem.spin.SpinReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The experiment of the SPIN paper at small scale, for one task: a new GPT is trained by SFT for a
 * fixed, deliberately short budget; SPIN then runs its iterations from that model on the same
 * prompts; beside it, continued SFT trains the SFT model for as many steps as SPIN took, with as
 * many sequences per step (SPIN's 2B rows: B real and B generated responses), on the same data. Every
 * stage is measured on held-out prompts: the NLL of the human completions, greedy exact match
 * where answers are exact, and {@code rewards/accuracies} on held-out pairs (the human response
 * against the opponent's; for continued SFT, the pairs of SPIN's iteration 0, whose opponent and
 * reference are the SFT model, as they are for continued SFT).
 *
 * <p>Layout under {@code <output>/<task>/}: {@code base/} (the initial model), {@code sft/} (the SFT
 * run, the model at its top), {@code spin/} (the {@link SelfPlay} run: {@code iter-<t>/}, {@code
 * metrics.jsonl}), {@code continued-sft/}.
 */
public final class SpinExperiment {
  /**
   * One task of the experiment.
   *
   * @param name the task's name in the report, e.g. {@code addition}
   * @param train training prompt/completion JSONL: SFT's data and SPIN's prompts
   * @param heldOut held-out prompt/completion JSONL
   * @param model the GPT's shape
   * @param initSeed the seed of its initial weights
   * @param sftSteps SFT updates (AdamW, cosine schedule, 5% warmup)
   * @param sftBatchSize SFT sequences per update
   * @param sftLearningRate SFT's peak learning rate (continued SFT uses the same recipe)
   * @param spin the self-play settings
   */
  public record TaskSpec(
      String name,
      Path train,
      Path heldOut,
      ModelConfig model,
      long initSeed,
      int sftSteps,
      int sftBatchSize,
      float sftLearningRate,
      SpinConfig spin) {}

  /** Observes the experiment: progress of the supervised stages, and everything {@link SelfPlay} reports. */
  public interface Listener extends SelfPlay.Listener {
    /** A listener for a supervised stage of a task ({@code sft}, {@code continued_sft}), or null. */
    default TrainingListener supervised(String task, String stage) {
      return null;
    }
  }

  private final Tandem tandem;
  private final Engine engine;
  private final Tokenizer tokenizer;
  private final Path output;
  private final Listener listener;

  /**
   * @param tandem the facade that loads the models and builds the trainers
   * @param tokenizer the tokenizer of the new models (it must have the chat specials)
   * @param output the experiment directory; each task gets {@code <output>/<task>/}
   */
  public SpinExperiment(Tandem tandem, Engine engine, Tokenizer tokenizer, Path output, Listener listener) {
    this.tandem = tandem;
    this.engine = engine;
    this.tokenizer = tokenizer;
    this.output = output;
    this.listener = listener;
  }

  /** Runs every stage of one task and returns its row of the report. */
  public SpinReport.Task run(TaskSpec spec) throws IOException {
    Path dir = output.resolve(spec.name());
    PromptTemplate template = new PromptTemplate(tokenizer);
    int ctx = spec.model().nPositions();
    SkipReport skips = SkipReport.collecting();
    List<Example> train = JsonlDataset.toExamples(JsonlDataset.read(spec.train()), template, ctx, skips);
    List<Example> heldOut = JsonlDataset.toExamples(JsonlDataset.read(spec.heldOut()), template, ctx, skips);
    if (!skips.isEmpty()) {
      listener.onMessage(spec.name() + ": " + skips);
    }

    // 1. a new model, trained by SFT for a short, fixed budget
    Path base = dir.resolve("base");
    Gpt gpt = new Gpt(spec.model());
    ModelDirectory.save(base, spec.model(), tokenizer, gpt.initialWeights(spec.initSeed()));
    Path sftDir = dir.resolve("sft");
    LoadedModel lm = tandem.loadModel(engine, base, true);
    listener.onMessage(String.format("%s: %,d training and %,d held-out examples; model %d layers, d_model %d, context %d (%,d parameters)",
        spec.name(), train.size(), heldOut.size(), spec.model().nLayer(), spec.model().nEmbd(), ctx, lm.params().count(false)));
    supervised(spec, lm, train, spec.sftSteps(), spec.sftBatchSize(), sftDir, "sft");

    // 2. SPIN from the SFT model: it is evaluated there as stage "sft"
    Path spinDir = dir.resolve("spin");
    SelfPlay spin = new SelfPlay(tandem, engine, lm.withPath(sftDir), spec.spin(), spinDir);
    spin.addListener(listener);
    SelfPlay.Result result = spin.run(train, heldOut, SkipReport.collecting(), false);
    List<SpinReport.Stage> stages = new ArrayList<>();
    long spinSteps = 0;
    for (Map<String, Object> line : result.stages()) {
      stages.add(SpinReport.Stage.fromLine(line));
      if (line.get("train_steps") instanceof Number n) {
        spinSteps += n.longValue();
      }
    }

    // 3. continued SFT from the SFT model: SPIN's steps, SPIN's sequences per step
    lm.restore(sftDir);
    Path contDir = dir.resolve("continued-sft");
    int rows = 2 * spec.spin().pairsPerBatch();
    supervised(spec, lm, train, spinSteps, rows, contDir, "continued_sft");
    Batcher batcher = new Batcher(rows, Batcher.defaultBuckets(ctx), tokenizer.padId());
    Evaluation.Result r = Evaluation.run(engine, lm.model(), lm.params(), tokenizer, heldOut, batcher, rows, spec.spin().exactMatch());
    var pairs = SelfPlay.evalPairs(spinDir, 0, heldOut);
    Map<String, Double> m =
        Evaluation.averaged(engine, lm.model(), lm.params(), spec.spin().objective(),
            PreferenceData.inOrder(pairs, new dev.tandem.api.data.PreferenceBatcher(spec.spin().pairsPerBatch(), Batcher.defaultBuckets(ctx), tokenizer.padId())), "pairs");
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("stage", "continued_sft");
    line.put("train_steps", spinSteps);
    line.put("eval_nll", round(r.loss()));
    if (r.exactMatch() != null) {
      line.put("eval_exact_match", round(r.exactMatch()));
    }
    m.forEach((k, v) -> line.put("eval_" + k, round(v)));
    listener.onStage(line);
    stages.add(SpinReport.Stage.fromLine(line));
    return new SpinReport.Task(spec.name(), stages);
  }

  private void supervised(TaskSpec spec, LoadedModel lm, List<Example> train, long steps, int batchSize, Path out, String stage) throws IOException {
    TrainerConfig c =
        new TrainerConfig(steps, 1, spec.sftLearningRate(), LrSchedule.Kind.COSINE, 0.05f, 1.0f, Math.max(1, (int) (steps / 10)), 0, 0, 1);
    Batcher batcher = new Batcher(batchSize, Batcher.defaultBuckets(spec.model().nPositions()), tokenizer.padId());
    Trainer trainer = tandem.trainer(engine, lm, new SftObjective(), AdamW.defaults(), c, spec.initSeed(), out);
    TrainingListener tl = listener.supervised(spec.name(), stage);
    if (tl != null) {
      trainer.addListener(tl);
    }
    trainer.train(new SequenceData(train, batcher, batchSize, spec.initSeed()), List.of(), false);
  }

  private static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
  }
}
