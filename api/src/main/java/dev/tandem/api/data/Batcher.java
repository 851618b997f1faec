package dev.tandem.api.data;

import dev.tandem.api.tensor.HostTensor;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * Builds fixed-size {@link Batch}es for causal LM training, padded to a few length buckets so that a
 * tracing engine sees only a few shapes.
 *
 * <p>An example of {@code n} tokens has {@code n - 1} input positions: inputs are {@code
 * tokens[0..n-2]}, targets {@code tokens[1..n-1]}. A batch is right-padded with the pad id to the
 * smallest bucket {@code T} that holds its longest example's inputs. {@code lossMask[b][t]} is 1
 * exactly where the target {@code tokens[t + 1]} belongs to the completion ({@code t >=
 * promptLength - 1} and {@code t + 1 < n}); targets are 0 wherever the mask is 0. Every batch has
 * {@code batchSize} rows: a short last batch is filled with all-padding rows (mask 0), and {@link
 * Batch#examples()} counts the real ones.
 */
public final class Batcher {
  private final int batchSize;
  private final int[] buckets;
  private final int padId;

  /**
   * A batcher.
   *
   * @param batchSize rows per batch, B
   * @param buckets the allowed padded lengths T (input positions), positive; sorted here
   * @param padId the token id of padding inputs
   */
  public Batcher(int batchSize, int[] buckets, int padId) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, not " + batchSize);
    }
    if (buckets.length == 0) {
      throw new IllegalArgumentException("at least one length bucket is needed");
    }
    int[] sorted = Arrays.stream(buckets).sorted().distinct().toArray();
    if (sorted[0] < 1) {
      throw new IllegalArgumentException("length buckets must be positive: " + Arrays.toString(buckets));
    }
    this.batchSize = batchSize;
    this.buckets = sorted;
    this.padId = padId;
  }

  /**
   * Powers of two from 16 below {@code context}, then {@code context} itself: {@code
   * defaultBuckets(256)} is {@code [16, 32, 64, 128, 256]}, {@code defaultBuckets(100)} is {@code
   * [16, 32, 64, 100]}, {@code defaultBuckets(8)} is {@code [8]}.
   */
  public static int[] defaultBuckets(int context) {
    if (context < 1) {
      throw new IllegalArgumentException("context must be positive, not " + context);
    }
    List<Integer> out = new ArrayList<>();
    for (int b = 16; b < context; b *= 2) {
      out.add(b);
    }
    out.add(context);
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Rows per batch. */
  public int batchSize() {
    return batchSize;
  }

  /** The buckets, ascending (a copy). */
  public int[] buckets() {
    return buckets.clone();
  }

  /** The smallest bucket holding {@code inputs} positions, or -1 if none does. */
  public int bucketFor(int inputs) {
    for (int b : buckets) {
      if (b >= inputs) {
        return b;
      }
    }
    return -1;
  }

  /** Batches in an epoch of {@code n} examples: {@code ceil(n / batchSize)}. */
  public int stepsPerEpoch(int n) {
    return (n + batchSize - 1) / batchSize;
  }

  /**
   * The batches of one epoch: batch {@code i} holds {@code examples[order[i*B]]}, ..., {@code
   * examples[order[i*B + B - 1]]}. The list is a lazy view: each {@code get} builds its batch, so an
   * epoch never sits in memory at once.
   *
   * @param order indices into {@code examples}, e.g. {@link EpochOrder#shuffled}
   */
  public List<Batch> batches(List<Example> examples, int[] order) {
    for (int i : order) {
      if (i < 0 || i >= examples.size()) {
        throw new IllegalArgumentException("order holds index " + i + " outside 0.." + (examples.size() - 1));
      }
    }
    int[] frozen = order.clone();
    int steps = stepsPerEpoch(frozen.length);
    final class Lazy extends AbstractList<Batch> implements RandomAccess {
      @Override
      public Batch get(int step) {
        return batchAt(examples, frozen, step);
      }

      @Override
      public int size() {
        return steps;
      }
    }
    return new Lazy();
  }

  /** Batch {@code step} of the epoch visiting {@code examples} in {@code order}. */
  public Batch batchAt(List<Example> examples, int[] order, int step) {
    int from = step * batchSize;
    if (step < 0 || from >= order.length) {
      throw new IndexOutOfBoundsException("step " + step + " of " + stepsPerEpoch(order.length));
    }
    int to = Math.min(order.length, from + batchSize);
    List<Example> rows = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      rows.add(examples.get(order[i]));
    }
    return batch(rows);
  }

  /**
   * One batch of 1 to B examples, padded to B rows and to the smallest bucket that holds them.
   *
   * @throws DataFormatException naming the source of an example with fewer than 2 tokens or more
   *     inputs than the largest bucket
   */
  public Batch batch(List<Example> examples) {
    return batch(examples, bucketFor(longestInputs(examples)));
  }

  /**
   * One batch of 1 to B examples, padded to B rows and to exactly {@code length} positions: for
   * callers that pad several batches to a common bucket (preference pairs put their chosen and
   * rejected rows in one batch).
   *
   * @param length the padded length, at least the longest example's inputs (normally {@link
   *     #bucketFor} of the longest example of all the batches that are padded together)
   * @throws DataFormatException as {@link #batch(List)}
   * @throws IllegalArgumentException if an example's inputs do not fit {@code length}
   */
  public Batch batch(List<Example> examples, int length) {
    int longest = longestInputs(examples);
    if (length < longest) {
      throw new IllegalArgumentException("padded length " + length + " cannot hold " + longest + " input tokens");
    }
    int t = length;
    int[] inputs = new int[batchSize * t];
    int[] targets = new int[batchSize * t];
    float[] mask = new float[batchSize * t];
    Arrays.fill(inputs, padId);
    for (int b = 0; b < examples.size(); b++) {
      Example e = examples.get(b);
      int[] tokens = e.tokens();
      int row = b * t;
      int firstTarget = Math.max(0, e.promptLength() - 1);
      System.arraycopy(tokens, 0, inputs, row, tokens.length - 1);
      for (int p = firstTarget; p < tokens.length - 1; p++) {
        targets[row + p] = tokens[p + 1];
        mask[row + p] = 1f;
      }
    }
    return new Batch(
        HostTensor.ofInts(inputs, batchSize, t),
        HostTensor.ofInts(targets, batchSize, t),
        HostTensor.of(mask, batchSize, t),
        examples.size());
  }

  /** The most inputs of any example, after checking sizes and that each fits a bucket. */
  private int longestInputs(List<Example> examples) {
    if (examples.isEmpty() || examples.size() > batchSize) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + batchSize + " examples, not " + examples.size());
    }
    int longest = 0;
    for (Example e : examples) {
      int inputs = e.tokens().length - 1;
      if (inputs < 1) {
        throw new DataFormatException(e.source(), "an example needs at least 2 tokens, has " + e.tokens().length);
      }
      if (bucketFor(inputs) < 0) {
        throw new DataFormatException(
            e.source(),
            inputs + " input tokens exceed the largest length bucket " + buckets[buckets.length - 1]);
      }
      longest = Math.max(longest, inputs);
    }
    return longest;
  }
}
