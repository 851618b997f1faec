package dev.tandem.api.train;

import dev.tandem.api.tensor.HostTensor;
import java.util.List;

/**
 * Batches for a {@link Trainer}, deterministic in (epoch, index) so that a resumed run sees exactly
 * the batches an uninterrupted run would.
 */
public interface TrainingData {
  /** Number of batches in one epoch. */
  int batchesPerEpoch();

  /** Batch {@code index} of {@code epoch}, as the objective's input tensors. */
  List<HostTensor> batch(int epoch, int index);

  /** Token positions in a batch, for throughput (defaults to the size of the first tensor). */
  default long tokens(List<HostTensor> batch) {
    return batch.get(0).shape().size();
  }
}
