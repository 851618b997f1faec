package dev.tandem.spin.demo;

import dev.tandem.api.compose.LoadedModel;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.Example;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.objective.SftObjective;
import dev.tandem.api.optim.AdamW;
import dev.tandem.api.train.Evaluation;
import dev.tandem.api.train.LrSchedule;
import dev.tandem.api.train.SequenceData;
import dev.tandem.api.train.Trainer;
import dev.tandem.api.train.TrainerConfig;
import dev.tandem.api.train.TrainingListener;
import dev.tandem.spin.SpinConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The supervised stages of the experiment, through the facade: SFT to convergence (early stopping on
 * validation, keeping the best epoch's weights) and continued SFT with SPIN's optimizer, schedule
 * and epochs per iteration.
 *
 * <p>The {@link Trainer} has no early stopping of its own, so SFT runs in chunks of one epoch: each
 * chunk resumes the previous one's checkpoint (weights and AdamW state, the data order of its epoch)
 * and extends the step budget by an epoch; after each, the model is scored on validation (NLL of
 * the completions: smooth, where exact match sits at 0 for epochs before it rises) and saved when it
 * is the best so far. The schedule is constant (a cosine or linear one would depend on the
 * final step count, which early stopping does not know in advance).
 */
final class SupervisedStages {
  private SupervisedStages() {}

  /**
   * What SFT to convergence did.
   *
   * @param validation the validation NLL per completion token after each epoch
   * @param bestEpoch the epoch (1-based) whose weights were kept
   */
  record Curve(List<Double> validation, int bestEpoch) {}

  /**
   * Trains {@code lm} by SFT until {@code spec.patience()} epochs pass without a better validation
   * score (or {@code spec.maxSftEpochs()}), and leaves the best epoch's weights in {@code lm} and in
   * {@code best}.
   */
  static Curve toConvergence(Tandem tandem, Engine engine, LoadedModel lm, DemoTasks.TaskSpec spec, List<Example> train, List<Example> validation,
      long seed, Path work, Path best, TrainingListener progress) throws IOException {
    Batcher batcher = tandem.batcher(lm, spec.sftBatchSize());
    SequenceData data = new SequenceData(train, batcher, spec.sftBatchSize(), seed);
    int perEpoch = data.batchesPerEpoch();
    List<Double> curve = new ArrayList<>();
    double bestScore = Double.NEGATIVE_INFINITY;
    int bestEpoch = 0;
    for (int epoch = 1; epoch <= spec.maxSftEpochs() && epoch - bestEpoch <= spec.patience(); epoch++) {
      TrainerConfig c = new TrainerConfig((long) epoch * perEpoch, 1, spec.sftLearningRate(), LrSchedule.Kind.CONSTANT, 0f, 1.0f, perEpoch, 0, 0, 1);
      Trainer trainer = tandem.trainer(engine, lm, new SftObjective(), AdamW.defaults(), c, seed, work);
      if (progress != null && epoch == 1) {
        trainer.addListener(progress);
      }
      trainer.train(data, List.of(), epoch > 1);
      Evaluation.Result r = tandem.evaluate(engine, lm, validation, 2 * spec.sftBatchSize(), false);
      double score = -r.loss();
      curve.add(round(r.loss()));
      if (score > bestScore) {
        bestScore = score;
        bestEpoch = epoch;
        lm.save(best);
      }
    }
    lm.restore(best);
    return new Curve(curve, bestEpoch);
  }

  /**
   * One "iteration" of continued SFT: a new trainer with SPIN's optimizer, schedule, learning rate
   * and epochs per iteration, on the real responses, {@code spin.pairsPerBatch()} sequences a step.
   *
   * @return the steps it took
   */
  static long continued(Tandem tandem, Engine engine, LoadedModel lm, SpinConfig spin, List<Example> train, long seed, Path work) throws IOException {
    int b = spin.pairsPerBatch();
    Trainer trainer = tandem.trainer(engine, lm, new SftObjective(), spin.optimizer(), spin.training(), seed, work);
    return trainer.train(new SequenceData(train, tandem.batcher(lm, b), b, seed), List.of(), false).steps();
  }

  static double round(double v) {
    return Double.isFinite(v) ? Math.round(v * 1e6) / 1e6 : v;
  }
}
