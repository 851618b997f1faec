package dev.tandem.api.train;

import dev.tandem.api.data.Batch;
import dev.tandem.api.data.Batcher;
import dev.tandem.api.data.EpochOrder;
import dev.tandem.api.data.Example;
import dev.tandem.api.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Causal-LM training data ({@link dev.tandem.api.objective.InputLayout#SEQUENCES}): examples
 * shuffled per epoch by a seed, cut into fixed-size batches padded to length buckets.
 */
public final class SequenceData implements TrainingData {
  private final List<Example> examples;
  private final Batcher batcher;
  private final int batchSize;
  private final long seed;
  private int cachedEpoch = -1;
  private int[] cachedOrder;

  public SequenceData(List<Example> examples, Batcher batcher, int batchSize, long seed) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("no training examples");
    }
    this.examples = List.copyOf(examples);
    this.batcher = batcher;
    this.batchSize = batchSize;
    this.seed = seed;
  }

  @Override
  public int batchesPerEpoch() {
    return (examples.size() + batchSize - 1) / batchSize;
  }

  @Override
  public List<HostTensor> batch(int epoch, int index) {
    int[] order = order(epoch);
    List<Example> rows = new ArrayList<>(batchSize);
    for (int i = index * batchSize; i < Math.min(order.length, (index + 1) * batchSize); i++) {
      rows.add(examples.get(order[i]));
    }
    Batch b = batcher.batch(rows);
    return List.of(b.inputIds(), b.targets(), b.lossMask());
  }

  /** All examples in file order, as batches (for evaluation). */
  public static List<List<HostTensor>> inOrder(List<Example> examples, Batcher batcher, int batchSize) {
    List<List<HostTensor>> out = new ArrayList<>();
    for (int i = 0; i < examples.size(); i += batchSize) {
      Batch b = batcher.batch(examples.subList(i, Math.min(examples.size(), i + batchSize)));
      out.add(List.of(b.inputIds(), b.targets(), b.lossMask()));
    }
    return out;
  }

  private int[] order(int epoch) {
    if (epoch != cachedEpoch) {
      cachedOrder = EpochOrder.shuffled(examples.size(), seed, epoch);
      cachedEpoch = epoch;
    }
    return cachedOrder;
  }
}
