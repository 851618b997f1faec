package dev.tandem.api.data;

import dev.tandem.api.tensor.HostTensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds batches in the layout {@link dev.tandem.api.objective.InputLayout#PREFERENCE_PAIRS}: the
 * chosen sequences in rows {@code 0..B-1} and the rejected ones in rows {@code B..2B-1}, each as a
 * {@link Batcher} builds them and both padded to the one bucket that holds the longest of them, then
 * the reference log-probs {@code [2B]} in the same row order. A short last batch is filled with
 * all-padding rows (loss mask 0, reference log-prob 0), which objectives must ignore.
 */
public final class PreferenceBatcher {
  private final Batcher rows;

  /**
   * @param pairsPerBatch pairs per batch, B (each batch has 2B rows)
   * @param buckets the allowed padded lengths
   * @param padId the padding token id
   */
  public PreferenceBatcher(int pairsPerBatch, int[] buckets, int padId) {
    this.rows = new Batcher(pairsPerBatch, buckets, padId);
  }

  /** Pairs per batch, B. */
  public int pairsPerBatch() {
    return rows.batchSize();
  }

  /** Batches in an epoch of {@code n} pairs. */
  public int stepsPerEpoch(int n) {
    return rows.stepsPerEpoch(n);
  }

  /**
   * One batch of 1 to B pairs: {@code [0]} input ids {@code [2B, T]}, {@code [1]} targets, {@code
   * [2]} loss mask, {@code [3]} reference log-probs {@code [2B]}.
   *
   * @throws IllegalStateException if a pair has no reference log-probs yet
   * @throws DataFormatException naming the source of a sequence that fits no bucket
   */
  public List<HostTensor> batch(List<PreferencePair> pairs) {
    int b = rows.batchSize();
    List<Example> chosen = new ArrayList<>(pairs.size());
    List<Example> rejected = new ArrayList<>(pairs.size());
    float[] ref = new float[2 * b];
    int longest = 0;
    for (int i = 0; i < pairs.size(); i++) {
      PreferencePair p = pairs.get(i);
      if (!p.hasReference()) {
        throw new IllegalStateException(p.source() + ": the reference log-probs of this pair are not computed");
      }
      chosen.add(p.chosen());
      rejected.add(p.rejected());
      ref[i] = p.refChosen();
      ref[b + i] = p.refRejected();
      if (rows.bucketFor(p.longestInputs()) < 0) {
        int[] all = rows.buckets();
        throw new DataFormatException(
            p.source(), p.longestInputs() + " input tokens exceed the largest length bucket " + all[all.length - 1]);
      }
      longest = Math.max(longest, p.longestInputs());
    }
    int t = rows.bucketFor(longest);
    Batch c = rows.batch(chosen, t);
    Batch r = rows.batch(rejected, t);
    return List.of(
        HostTensor.ofInts(concat(c.inputIds().ints(), r.inputIds().ints()), 2 * b, t),
        HostTensor.ofInts(concat(c.targets().ints(), r.targets().ints()), 2 * b, t),
        HostTensor.of(concat(c.lossMask().floats(), r.lossMask().floats()), 2 * b, t),
        HostTensor.of(ref, 2 * b));
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
