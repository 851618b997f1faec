package dev.tandem.spin.demo;

import dev.tandem.api.data.DataRecord;
import dev.tandem.api.data.JsonlDataset;
import dev.tandem.api.data.PromptTemplate;
import dev.tandem.api.model.ModelConfig;
import dev.tandem.api.optim.RmsProp;
import dev.tandem.api.tokenizer.Tokenizer;
import dev.tandem.api.train.LrSchedule;
import dev.tandem.api.train.TrainerConfig;
import dev.tandem.spin.DpoObjective;
import dev.tandem.spin.SpinConfig;
import dev.tandem.spin.SpinObjective;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The two tasks of {@code tandem demo spin}, with the demo's own hyperparameters (sizes and learning
 * rates chosen so that the whole experiment runs in minutes on two CPU cores; the paper's recipe is
 * kept otherwise: RMSProp, linear schedule, 10% warmup, 2 epochs per iteration, beta 0.1, logistic
 * loss, sampling at temperature 1.0, the previous iteration's data mixed in).
 */
public final class DemoTasks {
  private DemoTasks() {}

  /**
   * Settings shared by the tasks, overridable from the command line.
   *
   * @param iterations SPIN iterations
   * @param beta SPIN's beta
   * @param loss SPIN's loss shape
   * @param spinLearningRate SPIN's peak learning rate (RMSProp)
   * @param epochsPerIteration SPIN's epochs per iteration
   * @param mixPrevious whether iteration t also trains on t-1's generations
   * @param temperature the opponent's sampling temperature
   * @param sftSteps the SFT budget of every task, or 0 for each task's own
   * @param pairsPerBatch SPIN's pairs per update of every task, or 0 for each task's own
   * @param trainExamples training examples of every task, or 0 for each task's own
   * @param heldOutExamples held-out examples of every task, or 0 for each task's own
   * @param seed the seed of data, initial weights, order and sampling
   */
  public record Settings(
      int iterations,
      float beta,
      DpoObjective.Loss loss,
      float spinLearningRate,
      int epochsPerIteration,
      boolean mixPrevious,
      float temperature,
      int sftSteps,
      int pairsPerBatch,
      int trainExamples,
      int heldOutExamples,
      long seed) {
    /** The demo's defaults. */
    public static Settings defaults() {
      return new Settings(4, 2.0f, DpoObjective.Loss.SIGMOID, 2e-4f, 2, true, 1.0f, 0, 0, 0, 0, 1);
    }

    int trainExamples(int taskDefault) {
      return trainExamples > 0 ? trainExamples : taskDefault;
    }

    int heldOutExamples(int taskDefault) {
      return heldOutExamples > 0 ? heldOutExamples : taskDefault;
    }

    int sftSteps(int taskDefault) {
      return sftSteps > 0 ? sftSteps : taskDefault;
    }

    SpinConfig spin(int taskPairsPerBatch, boolean exactMatch) {
      int b = pairsPerBatch > 0 ? pairsPerBatch : taskPairsPerBatch;
      TrainerConfig training =
          new TrainerConfig(0, epochsPerIteration, spinLearningRate, LrSchedule.Kind.LINEAR, 0.1f, 1.0f, 10, 0, 100, 1);
      return new SpinConfig(iterations, new SpinObjective(beta, loss), training, RmsProp.defaults(), b, mixPrevious, 0,
          temperature, 1.0f, 256, exactMatch, seed);
    }
  }

  /**
   * Addition of two numbers of 1 to 3 digits ({@link SyntheticTask#ADDITION}): 2,000 training and 500
   * held-out problems written to {@code dir}, a 2-layer GPT (d_model 96, context 32) trained by SFT
   * for 400 steps of 32 sequences.
   */
  public static SpinExperiment.TaskSpec addition(Path dir, Tokenizer tokenizer, Settings s) throws IOException {
    return synthetic(SyntheticTask.ADDITION, dir, tokenizer, s, 1000);
  }

  /** A synthetic task as {@link #addition}. */
  public static SpinExperiment.TaskSpec synthetic(SyntheticTask task, Path dir, Tokenizer tokenizer, Settings s, int sftSteps) throws IOException {
    SyntheticTask.Split split = task.generate(s.seed(), s.trainExamples(2000), s.heldOutExamples(500));
    Path train = dir.resolve(task.label() + "-train.jsonl");
    Path heldOut = dir.resolve(task.label() + "-heldout.jsonl");
    split.write(train, heldOut);
    ModelConfig model = ModelConfig.of(tokenizer.vocabSize(), 2, 4, 96, 32);
    return new SpinExperiment.TaskSpec(task.label(), train, heldOut, model, s.seed(), s.sftSteps(sftSteps), 32, 3e-3f, s.spin(32, true));
  }

  /**
   * WordNet definitions: 400 training and 100 held-out records that fit the context, drawn (seeded)
   * from the given files into {@code dir}, a 2-layer GPT (d_model 96, context 96) trained by SFT for
   * 300 steps of 16 sequences. Exact match does not apply to free text.
   */
  public static SpinExperiment.TaskSpec wordnet(Path trainSource, Path devSource, Path dir, Tokenizer tokenizer, Settings s)
      throws IOException {
    Path train = dir.resolve("wordnet-train.jsonl");
    Path dev = dir.resolve("wordnet-dev.jsonl");
    ModelConfig model = ModelConfig.of(tokenizer.vocabSize(), 2, 4, 96, 96);
    PromptTemplate template = new PromptTemplate(tokenizer);
    sample(trainSource, train, s.trainExamples(400), s.seed(), template, model.nPositions());
    sample(devSource, dev, s.heldOutExamples(100), s.seed() + 1, template, model.nPositions());
    return new SpinExperiment.TaskSpec("wordnet", train, dev, model, s.seed(), s.sftSteps(300), 16, 3e-3f, s.spin(16, false));
  }

  /**
   * Writes {@code n} prompt/completion records of {@code source} whose templated sequence fits the
   * context (all that fit when fewer), drawn with {@code seed}.
   */
  static void sample(Path source, Path target, int n, long seed, PromptTemplate template, int context) throws IOException {
    List<DataRecord> all = new ArrayList<>(JsonlDataset.read(source));
    Collections.shuffle(all, new Random(seed));
    List<String[]> rows = new ArrayList<>();
    for (DataRecord r : all) {
      if (rows.size() == n) {
        break;
      }
      if (!(r instanceof DataRecord.PromptCompletion pc)) {
        throw new dev.tandem.api.data.DataFormatException(r.source(), "expected a prompt/completion record");
      }
      if (template.example(r).tokens().length - 1 <= context) {
        rows.add(new String[] {pc.prompt(), pc.completion()});
      }
    }
    SyntheticTask.writeJsonl(target, rows);
  }
}
