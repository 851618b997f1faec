package dev.tandem.api.train;

/**
 * How a {@link Trainer} runs.
 *
 * @param maxSteps total updates; 0 means {@code epochs} full passes
 * @param epochs passes over the data when {@code maxSteps} is 0
 * @param learningRate peak learning rate
 * @param schedule decay after warmup
 * @param warmupRatio fraction of the total steps spent warming up
 * @param maxGradNorm global gradient-norm clip, 0 for none
 * @param logSteps write a {@code metrics.jsonl} line every this many steps
 * @param evalSteps evaluate every this many steps (0: only at the end)
 * @param saveSteps write {@code checkpoint-<step>/} every this many steps (0: only at the end)
 * @param keepCheckpoints how many recent checkpoints to keep (0: all)
 */
public record TrainerConfig(
    long maxSteps,
    int epochs,
    float learningRate,
    LrSchedule.Kind schedule,
    float warmupRatio,
    float maxGradNorm,
    int logSteps,
    int evalSteps,
    int saveSteps,
    int keepCheckpoints) {

  public TrainerConfig {
    if (maxSteps < 0) {
      throw new IllegalArgumentException("max-steps must be >= 0, not " + maxSteps);
    }
    if (maxSteps == 0 && epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1 when max-steps is not set");
    }
    if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning-rate must be > 0, not " + learningRate);
    }
    if (!(warmupRatio >= 0 && warmupRatio < 1)) {
      throw new IllegalArgumentException("warmup-ratio must be in [0, 1), not " + warmupRatio);
    }
    if (logSteps < 1) {
      throw new IllegalArgumentException("logging-steps must be >= 1, not " + logSteps);
    }
    if (evalSteps < 0 || saveSteps < 0 || keepCheckpoints < 0) {
      throw new IllegalArgumentException("eval-steps, save-steps and keep-checkpoints must be >= 0");
    }
  }

  /** Defaults for a quick SFT run: 1 epoch, lr 1e-3, cosine, 5% warmup, clip 1.0, log every 10. */
  public static TrainerConfig defaults() {
    return new TrainerConfig(0, 1, 1e-3f, LrSchedule.Kind.COSINE, 0.05f, 1.0f, 10, 0, 0, 0);
  }

  public TrainerConfig withMaxSteps(long steps) {
    return new TrainerConfig(steps, epochs, learningRate, schedule, warmupRatio, maxGradNorm, logSteps, evalSteps, saveSteps, keepCheckpoints);
  }

  public TrainerConfig withEpochs(int n) {
    return new TrainerConfig(0, n, learningRate, schedule, warmupRatio, maxGradNorm, logSteps, evalSteps, saveSteps, keepCheckpoints);
  }

  public TrainerConfig withLearningRate(float lr) {
    return new TrainerConfig(maxSteps, epochs, lr, schedule, warmupRatio, maxGradNorm, logSteps, evalSteps, saveSteps, keepCheckpoints);
  }

  public TrainerConfig withSchedule(LrSchedule.Kind kind, float warmup) {
    return new TrainerConfig(maxSteps, epochs, learningRate, kind, warmup, maxGradNorm, logSteps, evalSteps, saveSteps, keepCheckpoints);
  }

  public TrainerConfig withSteps(int log, int eval, int save) {
    return new TrainerConfig(maxSteps, epochs, learningRate, schedule, warmupRatio, maxGradNorm, log, eval, save, keepCheckpoints);
  }

  public TrainerConfig withMaxGradNorm(float norm) {
    return new TrainerConfig(maxSteps, epochs, learningRate, schedule, warmupRatio, norm, logSteps, evalSteps, saveSteps, keepCheckpoints);
  }

  public TrainerConfig withKeepCheckpoints(int n) {
    return new TrainerConfig(maxSteps, epochs, learningRate, schedule, warmupRatio, maxGradNorm, logSteps, evalSteps, saveSteps, n);
  }

  /** Total updates for data with {@code batchesPerEpoch} batches. */
  public long totalSteps(int batchesPerEpoch) {
    return maxSteps > 0 ? maxSteps : (long) epochs * batchesPerEpoch;
  }
}
