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
 * The two tasks of {@code tandem demo spin}, each cut into train, validation and test, with the
 * demo's own sizes (chosen so that three seeds of the whole experiment run in minutes on two CPU
 * cores). SPIN keeps the paper's recipe otherwise: RMSProp, linear schedule, 10% warmup, 2 epochs
 * per iteration, logistic loss, sampling at temperature 1.0, the previous iteration's data mixed in;
 * beta is chosen on validation from a grid ({@link Settings#betas()}).
 */
public final class DemoTasks {
  private DemoTasks() {}

  /**
   * Settings shared by the tasks, overridable from the command line.
   *
   * @param iterations SPIN iterations (and continued-SFT "iterations")
   * @param betas the grid of SPIN's beta, chosen on validation
   * @param loss SPIN's loss shape
   * @param spinLearningRate SPIN's peak learning rate (RMSProp); continued SFT uses the same
   * @param epochsPerIteration SPIN's epochs per iteration; continued SFT uses the same
   * @param mixPrevious whether iteration t also trains on t-1's generations
   * @param temperature the opponent's sampling temperature
   * @param maxSftEpochs the SFT cap in epochs of every task, or 0 for each task's own
   * @param patience SFT stops after this many epochs without a better validation score
   * @param sftLearningRate SFT's learning rate of every task, or 0 for each task's own
   * @param pairsPerBatch SPIN's pairs per update of every task, or 0 for each task's own
   * @param trainExamples training examples of every task, or 0 for each task's own
   * @param validationExamples validation examples of every task, or 0 for each task's own
   * @param testExamples test examples of every task, or 0 for each task's own
   * @param dataSeed the seed of the data and its split (the same for every run seed)
   * @param firstSeed the first run seed (weights, order, sampling)
   * @param seeds how many run seeds: {@code firstSeed .. firstSeed + seeds - 1}
   */
  public record Settings(
      int iterations,
      List<Float> betas,
      DpoObjective.Loss loss,
      float spinLearningRate,
      int epochsPerIteration,
      boolean mixPrevious,
      float temperature,
      int maxSftEpochs,
      int patience,
      float sftLearningRate,
      int pairsPerBatch,
      int trainExamples,
      int validationExamples,
      int testExamples,
      long dataSeed,
      long firstSeed,
      int seeds) {
    public Settings {
      betas = List.copyOf(betas);
      if (betas.isEmpty() || seeds < 1 || iterations < 1) {
        throw new IllegalArgumentException("need at least one beta, one seed and one iteration");
      }
    }

    /** The run seeds, in order. */
    public List<Long> seedList() {
      List<Long> out = new ArrayList<>();
      for (int i = 0; i < seeds; i++) {
        out.add(firstSeed + i);
      }
      return out;
    }

    int or(int value, int taskDefault) {
      return value > 0 ? value : taskDefault;
    }

    float sftLearningRate(float taskDefault) {
      return sftLearningRate > 0 ? sftLearningRate : taskDefault;
    }

    /** SPIN's settings for one task, beta and run seed. */
    SpinConfig spin(int taskPairsPerBatch, float beta, long seed) {
      TrainerConfig training =
          new TrainerConfig(0, epochsPerIteration, spinLearningRate, LrSchedule.Kind.LINEAR, 0.1f, 1.0f, 10, 0, 0, 1);
      return new SpinConfig(iterations, new SpinObjective(beta, loss), training, RmsProp.defaults(), or(pairsPerBatch, taskPairsPerBatch),
          mixPrevious, 0, temperature, 1.0f, 256, true, seed);
    }
  }

  /**
   * One task of the experiment.
   *
   * @param name the task's name in the report, e.g. {@code addition}
   * @param train training prompt/completion JSONL: SFT's data and SPIN's prompts
   * @param validation validation JSONL: early stopping and the beta grid
   * @param test test JSONL: reported only
   * @param model the GPT's shape
   * @param sftBatchSize SFT sequences per update
   * @param sftLearningRate SFT's learning rate (AdamW, constant)
   * @param maxSftEpochs SFT's cap in epochs
   * @param patience SFT stops after this many epochs without a better validation score
   * @param gridOnExactMatch whether the beta grid scores by validation exact match (else by NLL)
   * @param pairsPerBatch SPIN's pairs per update, and continued SFT's sequences per update
   */
  public record TaskSpec(
      String name,
      Path train,
      Path validation,
      Path test,
      ModelConfig model,
      int sftBatchSize,
      float sftLearningRate,
      int maxSftEpochs,
      int patience,
      boolean gridOnExactMatch,
      int pairsPerBatch) {}

  /**
   * Addition of two numbers from 0 to 99 ({@link SyntheticTask#ADDITION}): 1,000 training, 200
   * validation and 500 test problems written to {@code dir}; a 2-layer GPT (d_model 64, context 32)
   * trained by SFT (AdamW 3e-3, 32 a batch) until validation NLL stops falling.
   */
  public static TaskSpec addition(Path dir, Tokenizer tokenizer, Settings s) throws IOException {
    return synthetic(SyntheticTask.ADDITION, dir, tokenizer, s);
  }

  /** A synthetic task as {@link #addition}. */
  public static TaskSpec synthetic(SyntheticTask task, Path dir, Tokenizer tokenizer, Settings s) throws IOException {
    int nTrain = s.or(s.trainExamples(), 1000);
    int nVal = s.or(s.validationExamples(), 200);
    int nTest = s.or(s.testExamples(), 500);
    SyntheticTask.Split split = task.generate(s.dataSeed(), nTrain, nVal + nTest);
    Path train = dir.resolve(task.label() + "-train.jsonl");
    Path val = dir.resolve(task.label() + "-validation.jsonl");
    Path test = dir.resolve(task.label() + "-test.jsonl");
    SyntheticTask.writeJsonl(train, split.train());
    SyntheticTask.writeJsonl(val, split.heldOut().subList(0, nVal));
    SyntheticTask.writeJsonl(test, split.heldOut().subList(nVal, nVal + nTest));
    ModelConfig model = ModelConfig.of(tokenizer.vocabSize(), 2, 4, 64, 32);
    return new TaskSpec(task.label(), train, val, test, model, 32, s.sftLearningRate(3e-3f), s.or(s.maxSftEpochs(), 60), s.patience(), true, 32);
  }

  /**
   * WordNet definitions from the bundled sample (or the given files): 400 training records from the
   * training file, 100 validation and 200 test records from the dev file, all that fit the context;
   * a 2-layer GPT (d_model 64, context 96) trained by SFT (AdamW 3e-3, 16 a batch) until validation
   * NLL stops falling.
   */
  public static TaskSpec wordnet(Path trainSource, Path devSource, Path dir, Tokenizer tokenizer, Settings s) throws IOException {
    ModelConfig model = ModelConfig.of(tokenizer.vocabSize(), 2, 4, 64, 96);
    PromptTemplate template = new PromptTemplate(tokenizer);
    int nVal = s.or(s.validationExamples(), 100);
    int nTest = s.or(s.testExamples(), 200);
    List<String[]> train = sample(trainSource, s.or(s.trainExamples(), 400), s.dataSeed(), template, model.nPositions());
    List<String[]> held = sample(devSource, nVal + nTest, s.dataSeed() + 1, template, model.nPositions());
    if (held.size() < 2) {
      throw new IllegalArgumentException(devSource + ": fewer than 2 records fit the context");
    }
    nVal = Math.min(nVal, held.size() / 2);
    Path trainFile = dir.resolve("wordnet-train.jsonl");
    Path val = dir.resolve("wordnet-validation.jsonl");
    Path test = dir.resolve("wordnet-test.jsonl");
    SyntheticTask.writeJsonl(trainFile, train);
    SyntheticTask.writeJsonl(val, held.subList(0, nVal));
    SyntheticTask.writeJsonl(test, held.subList(nVal, held.size()));
    return new TaskSpec("wordnet", trainFile, val, test, model, 16, s.sftLearningRate(3e-3f), s.or(s.maxSftEpochs(), 40), s.patience(), false, 16);
  }

  /**
   * {@code n} prompt/completion rows of {@code source} whose templated sequence fits the context
   * (all that fit when fewer), drawn with {@code seed}.
   */
  static List<String[]> sample(Path source, int n, long seed, PromptTemplate template, int context) throws IOException {
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
    return rows;
  }
}
