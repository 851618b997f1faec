package dev.tandem.spin;

import dev.tandem.api.objective.PreferenceObjective;
import dev.tandem.api.optim.Optimizer;
import dev.tandem.api.optim.RmsProp;
import dev.tandem.api.train.LrSchedule;
import dev.tandem.api.train.TrainerConfig;
import java.util.Objects;

/**
 * How {@link SelfPlay} runs. {@link #defaults()} follows the paper and its official code: 4
 * iterations (iter0..iter3), 2 epochs per iteration, beta 0.1, logistic loss, RMSProp with a linear
 * schedule and 10% warmup at learning rate 5e-7 (the paper's, for a 7B model: small models need a far
 * larger one), sampling at temperature 1.0 and top-p 1.0, and iteration t trains on the synthetic data
 * of t and t-1.
 *
 * @param iterations self-play iterations T (iterations 0..T-1)
 * @param objective the loss: {@link SpinObjective} with its beta and loss shape, or any preference
 *     objective
 * @param training the trainer's settings for one iteration: its {@code epochs} are the epochs per
 *     iteration ({@code maxSteps} 0), its learning rate, schedule, warmup, clipping, logging and
 *     checkpoint frequency
 * @param optimizer the optimizer, fresh each iteration
 * @param pairsPerBatch pairs per update (each update sees 2 x this many sequences)
 * @param mixPrevious iteration t also trains on iteration t-1's generations (t >= 1)
 * @param maxNewTokens the opponent's response length limit; 0: the longest real response, end token
 *     included
 * @param temperature sampling temperature (0: greedy)
 * @param topP nucleus threshold (1: off)
 * @param generationBatchSize prompts generated together
 * @param exactMatch also measure greedy exact match on the evaluation data after each iteration
 * @param seed the seed of data order and sampling (iteration t samples with {@code seed + t})
 */
public record SpinConfig(
    int iterations,
    PreferenceObjective objective,
    TrainerConfig training,
    Optimizer optimizer,
    int pairsPerBatch,
    boolean mixPrevious,
    int maxNewTokens,
    float temperature,
    float topP,
    int generationBatchSize,
    boolean exactMatch,
    long seed) {

  /** The paper's learning rate (zephyr-7b). */
  public static final float PAPER_LEARNING_RATE = 5e-7f;

  public SpinConfig {
    Objects.requireNonNull(objective, "objective");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(optimizer, "optimizer");
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be >= 1, not " + iterations);
    }
    if (training.maxSteps() != 0) {
      throw new IllegalArgumentException("SPIN trains whole epochs per iteration: set epochs, not max-steps");
    }
    if (pairsPerBatch < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, not " + pairsPerBatch);
    }
    if (maxNewTokens < 0) {
      throw new IllegalArgumentException("max-new-tokens must be >= 0 (0: automatic), not " + maxNewTokens);
    }
    if (!(temperature >= 0) || Float.isInfinite(temperature)) {
      throw new IllegalArgumentException("temperature must be >= 0, not " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], not " + topP);
    }
    if (generationBatchSize < 1) {
      throw new IllegalArgumentException("generation batch size must be >= 1, not " + generationBatchSize);
    }
  }

  /** The paper's settings (see the class comment); checkpoints every 100 steps, the newest 2 kept. */
  public static SpinConfig defaults() {
    TrainerConfig training =
        new TrainerConfig(0, 2, PAPER_LEARNING_RATE, LrSchedule.Kind.LINEAR, 0.1f, 1.0f, 10, 0, 100, 2);
    return new SpinConfig(4, new SpinObjective(), training, RmsProp.defaults(), 16, true, 0, 1.0f, 1.0f, 64, true, 42);
  }

  /** Epochs per iteration. */
  public int epochsPerIteration() {
    return training.epochs();
  }

  public SpinConfig withIterations(int n) {
    return new SpinConfig(n, objective, training, optimizer, pairsPerBatch, mixPrevious, maxNewTokens, temperature, topP, generationBatchSize, exactMatch, seed);
  }

  public SpinConfig withObjective(PreferenceObjective o) {
    return new SpinConfig(iterations, o, training, optimizer, pairsPerBatch, mixPrevious, maxNewTokens, temperature, topP, generationBatchSize, exactMatch, seed);
  }

  public SpinConfig withTraining(TrainerConfig t) {
    return new SpinConfig(iterations, objective, t, optimizer, pairsPerBatch, mixPrevious, maxNewTokens, temperature, topP, generationBatchSize, exactMatch, seed);
  }

  public SpinConfig withOptimizer(Optimizer o) {
    return new SpinConfig(iterations, objective, training, o, pairsPerBatch, mixPrevious, maxNewTokens, temperature, topP, generationBatchSize, exactMatch, seed);
  }

  public SpinConfig withPairsPerBatch(int b) {
    return new SpinConfig(iterations, objective, training, optimizer, b, mixPrevious, maxNewTokens, temperature, topP, generationBatchSize, exactMatch, seed);
  }

  public SpinConfig withMixPrevious(boolean mix) {
    return new SpinConfig(iterations, objective, training, optimizer, pairsPerBatch, mix, maxNewTokens, temperature, topP, generationBatchSize, exactMatch, seed);
  }

  public SpinConfig withSampling(int maxNew, float temp, float p) {
    return new SpinConfig(iterations, objective, training, optimizer, pairsPerBatch, mixPrevious, maxNew, temp, p, generationBatchSize, exactMatch, seed);
  }

  public SpinConfig withGenerationBatchSize(int n) {
    return new SpinConfig(iterations, objective, training, optimizer, pairsPerBatch, mixPrevious, maxNewTokens, temperature, topP, n, exactMatch, seed);
  }

  public SpinConfig withExactMatch(boolean on) {
    return new SpinConfig(iterations, objective, training, optimizer, pairsPerBatch, mixPrevious, maxNewTokens, temperature, topP, generationBatchSize, on, seed);
  }

  public SpinConfig withSeed(long s) {
    return new SpinConfig(iterations, objective, training, optimizer, pairsPerBatch, mixPrevious, maxNewTokens, temperature, topP, generationBatchSize, exactMatch, s);
  }
}
