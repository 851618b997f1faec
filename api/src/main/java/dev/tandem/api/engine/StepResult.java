package dev.tandem.api.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The host-side result of a {@link TrainStep} call.
 *
 * @param loss the loss before the update
 * @param metrics the loss function's metrics
 * @param gradNorm the global gradient L2 norm before clipping (NaN for {@link TrainStep#evaluate})
 */
public record StepResult(float loss, Map<String, Float> metrics, float gradNorm) {
  public StepResult {
    metrics = new LinkedHashMap<>(metrics);
  }
}
