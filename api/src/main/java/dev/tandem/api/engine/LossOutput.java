package dev.tandem.api.engine;

import dev.tandem.api.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link LossFunction} returns.
 *
 * @param loss the scalar to minimise
 * @param metrics named scalars to report (not differentiated), e.g. {@code rewards/margins}
 */
public record LossOutput(Tensor loss, Map<String, Tensor> metrics) {
  public LossOutput {
    if (loss.shape().rank() != 0) {
      throw new IllegalArgumentException("loss must be a scalar, got shape " + loss.shape());
    }
    metrics = new LinkedHashMap<>(metrics);
  }

  public static LossOutput of(Tensor loss) {
    return new LossOutput(loss, Map.of());
  }
}
