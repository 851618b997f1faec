package dev.tandem.api.train;

import dev.tandem.api.data.EpochOrder;
import dev.tandem.api.data.PreferenceBatcher;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Preference-pair training data ({@link dev.tandem.api.objective.InputLayout#PREFERENCE_PAIRS}):
 * pairs with their reference log-probs, shuffled per epoch by a seed, cut into batches of B pairs
 * (2B rows) padded to length buckets.
 */
public final class PreferenceData implements TrainingData {
  private final List<PreferencePair> pairs;
  private final PreferenceBatcher batcher;
  private final long seed;
  private int cachedEpoch = -1;
  private int[] cachedOrder;

  /**
   * @throws IllegalArgumentException if there are no pairs
   * @throws IllegalStateException naming the first pair whose reference log-probs are missing
   */
  public PreferenceData(List<PreferencePair> pairs, PreferenceBatcher batcher, long seed) {
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException("no preference pairs to train on");
    }
    for (PreferencePair p : pairs) {
      if (!p.hasReference()) {
        throw new IllegalStateException(p.source() + ": the reference log-probs of this pair are not computed");
      }
    }
    this.pairs = List.copyOf(pairs);
    this.batcher = batcher;
    this.seed = seed;
  }

  @Override
  public int batchesPerEpoch() {
    return batcher.stepsPerEpoch(pairs.size());
  }

  @Override
  public List<HostTensor> batch(int epoch, int index) {
    if (epoch != cachedEpoch) {
      cachedOrder = EpochOrder.shuffled(pairs.size(), seed, epoch);
      cachedEpoch = epoch;
    }
    int b = batcher.pairsPerBatch();
    List<PreferencePair> rows = new ArrayList<>(b);
    for (int i = index * b; i < Math.min(cachedOrder.length, (index + 1) * b); i++) {
      rows.add(pairs.get(cachedOrder[i]));
    }
    return batcher.batch(rows);
  }

  /** All pairs in order, as batches (for evaluation). */
  public static List<List<HostTensor>> inOrder(List<PreferencePair> pairs, PreferenceBatcher batcher) {
    List<List<HostTensor>> out = new ArrayList<>();
    int b = batcher.pairsPerBatch();
    for (int i = 0; i < pairs.size(); i += b) {
      out.add(batcher.batch(pairs.subList(i, Math.min(pairs.size(), i + b))));
    }
    return out;
  }
}
