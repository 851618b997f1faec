package dev.tandem.api.engine;

/**
 * Options of a {@link TrainStep}.
 *
 * @param maxGradNorm clip the global L2 norm of all gradients to this value; 0 disables clipping
 */
public record TrainStepOptions(float maxGradNorm) {
  public TrainStepOptions {
    if (maxGradNorm < 0 || Float.isNaN(maxGradNorm)) {
      throw new IllegalArgumentException("maxGradNorm must be >= 0, not " + maxGradNorm);
    }
  }
}
