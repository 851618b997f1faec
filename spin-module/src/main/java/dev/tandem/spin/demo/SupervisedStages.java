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
 * is the best so far. The rate is constant within a phase (a cosine or linear schedule would depend
 * on the final step count, which early stopping does not know in advance) and drops to a quarter
 * when {@code patience} epochs pass without a better score, twice; the third plateau ends SFT. So
 * the SFT model has been annealed, and continued SFT at a lower rate cannot gain merely by
 * annealing it.
 */
final class SupervisedStages {
  /** How many times SFT lowers its rate on a plateau before it stops. */
  static final int LR_DROPS = 2;
  /** The factor of each drop. */
  static final float LR_DROP = 0.25f;

  private SupervisedStages() {}

  /**
   * What SFT to convergence did.
   *
   * @param validation the validation NLL per completion token after each epoch
   * @param bestEpoch the epoch (1-based) whose weights were kept
   */
  record Curve(List<Double> validation, int bestEpoch) {}

  /**
   * Trains {@code lm} by SFT until the third plateau of {@code spec.patience()} epochs without a
   * better validation NLL (or {@code spec.maxSftEpochs()}), and leaves the best epoch's weights in
   * {@code lm} and in {@code best}.
   */
  static Curve toConvergence(Tandem tandem, Engine engine, LoadedModel lm, DemoTasks.TaskSpec spec, List<Example> train, List<Example> validation,
      long seed, Path work, Path best) throws IOException {
    Batcher batcher = tandem.batcher(lm, spec.sftBatchSize());
    SequenceData data = new SequenceData(train, batcher, spec.sftBatchSize(), seed);
    int perEpoch = data.batchesPerEpoch();
    List<Double> curve = new ArrayList<>();
    double bestScore = Double.NEGATIVE_INFINITY;
    int bestEpoch = 0;
    int sinceBest = 0;
    int drops = 0;
    float lr = spec.sftLearningRate();
    for (int epoch = 1; epoch <= spec.maxSftEpochs(); epoch++) {
      TrainerConfig c = new TrainerConfig((long) epoch * perEpoch, 1, lr, LrSchedule.Kind.CONSTANT, 0f, 1.0f, perEpoch, 0, 0, 1);
      Trainer trainer = tandem.trainer(engine, lm, new SftObjective(), AdamW.defaults(), c, seed, work);
      trainer.train(data, List.of(), epoch > 1);
      Evaluation.Result r = tandem.evaluate(engine, lm, validation, 2 * spec.sftBatchSize(), false);
      curve.add(round(r.loss()));
      if (-r.loss() > bestScore) {
        bestScore = -r.loss();
        bestEpoch = epoch;
        sinceBest = 0;
        lm.save(best);
      } else if (++sinceBest >= spec.patience()) {
        if (drops == LR_DROPS) {
          break;
        }
        // a plateau: go on at a quarter of the rate (ReduceLROnPlateau); the best weights stay saved
        drops++;
        lr *= LR_DROP;
        sinceBest = 0;
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
