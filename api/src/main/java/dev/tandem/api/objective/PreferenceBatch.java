package dev.tandem.api.objective;

import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link InputLayout#PREFERENCE_PAIRS} batch as a preference objective reads it: the chosen and
 * rejected rows, their completion log-probs (summed or length-normalised), the reference log-probs,
 * which pairs are real (not padding), the mean over real pairs and the standard metrics. With it, a
 * preference loss is a few lines; SimPO, complete:
 *
 * <pre>{@code
 * public LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch) {
 *   PreferenceBatch pairs = PreferenceBatch.of(ops, batch);
 *   Tensor logps = pairs.averageLogProbs(model.forward(ops, params, pairs.inputIds(), null, null));
 *   Tensor chosen = ops.mul(pairs.chosen(logps), beta);       // beta log p(y_w|x) / |y_w|
 *   Tensor rejected = ops.mul(pairs.rejected(logps), beta);
 *   Tensor losses = ops.neg(ops.logSigmoid(ops.sub(ops.sub(chosen, rejected), ops.scalar(gamma))));
 *   return new LossOutput(pairs.mean(losses), pairs.metrics(chosen, rejected, pairs.chosen(logps), pairs.rejected(logps)));
 * }
 * }</pre>
 *
 * <p>Everything here is built with the {@code ops} given to {@link #of}, so it may be traced:
 * create one per call of {@link Objective#loss}, never keep it.
 */
public final class PreferenceBatch {
  private final TensorOps ops;
  private final List<Tensor> batch;
  private final int pairs;
  private Tensor real;
  private Tensor count;

  private PreferenceBatch(TensorOps ops, List<Tensor> batch, int pairs) {
    this.ops = ops;
    this.batch = batch;
    this.pairs = pairs;
  }

  /**
   * Reads a preference batch: {@code [0]} ids {@code [2B, T]}, {@code [1]} targets, {@code [2]} loss
   * mask, {@code [3]} reference log-probs {@code [2B]}; chosen rows {@code 0..B-1}, rejected rows
   * {@code B..2B-1}.
   *
   * @throws IllegalArgumentException if the shapes are not those of a preference batch
   */
  public static PreferenceBatch of(TensorOps ops, List<Tensor> batch) {
    Tensor ids = batch.get(0);
    Tensor ref = batch.get(3);
    int rows = ids.shape().dim(0);
    if (rows % 2 != 0 || ref.shape().rank() != 1 || ref.shape().dim(0) != rows) {
      throw new IllegalArgumentException(
          "a preference batch has 2B rows and reference log-probs [2B], got ids " + ids.shape() + " and reference " + ref.shape());
    }
    return new PreferenceBatch(ops, batch, rows / 2);
  }

  /** The number of pairs B, padding included: the batch has {@code 2B} rows. */
  public int pairs() {
    return pairs;
  }

  /** The input ids {@code [2B, T]}, to give to {@code model.forward}. */
  public Tensor inputIds() {
    return batch.get(0);
  }

  /** The targets {@code [2B, T]}: the next token at each position. */
  public Tensor targets() {
    return batch.get(1);
  }

  /** The loss mask {@code [2B, T]}: 1 on completion tokens, 0 on prompt and padding. */
  public Tensor lossMask() {
    return batch.get(2);
  }

  /**
   * The reference model's summed log-probs {@code [2B]}: zeros unless the objective {@link
   * Objective#needsReference() needs the reference}.
   */
  public Tensor reference() {
    return batch.get(3);
  }

  /** The chosen half {@code [B]} of a per-row tensor {@code [2B]} (rows {@code 0..B-1}). */
  public Tensor chosen(Tensor perRow) {
    return ops.slice(perRow, 0, 0, pairs);
  }

  /** The rejected half {@code [B]} of a per-row tensor {@code [2B]} (rows {@code B..2B-1}). */
  public Tensor rejected(Tensor perRow) {
    return ops.slice(perRow, 0, pairs, 2 * pairs);
  }

  /** Each row's completion log-prob summed over its tokens, {@code [2B]}, from the logits {@code [2B, T, V]}. */
  public Tensor summedLogProbs(Tensor logits) {
    return SequenceLogProbs.summed(ops, logits, targets(), lossMask());
  }

  /** Each row's completion log-prob divided by its length (SimPO's), {@code [2B]}, from the logits {@code [2B, T, V]}. */
  public Tensor averageLogProbs(Tensor logits) {
    return SequenceLogProbs.average(ops, logits, targets(), lossMask());
  }

  /**
   * Each row's completion log-prob summed over its tokens, {@code [2B]}, under {@code model}
   * ({@link dev.tandem.api.model.CausalLM#tokenLogProbs}: the head a few positions at a time).
   */
  public Tensor summedLogProbs(dev.tandem.api.model.CausalLM model, dev.tandem.api.engine.Parameters params) {
    return ops.sum(SequenceLogProbs.perToken(ops, model, params, inputIds(), targets(), lossMask()), 1, false);
  }

  /** Each row's length-normalised completion log-prob (SimPO's), {@code [2B]}, under {@code model}. */
  public Tensor averageLogProbs(dev.tandem.api.model.CausalLM model, dev.tandem.api.engine.Parameters params) {
    return ops.div(summedLogProbs(model, params), ops.maximum(lengths(), ops.scalar(1f)));
  }

  /** The number of completion tokens of each row, {@code [2B]}. */
  public Tensor lengths() {
    return SequenceLogProbs.lengths(ops, lossMask());
  }

  /**
   * The real-pair mask {@code [B]}: 1 for a pair whose chosen row has a completion token, 0 for the
   * padding pairs that fill a short last batch.
   */
  public Tensor realPairs() {
    if (real == null) {
      real = ops.where(chosen(lengths()), ops.scalar(1f), ops.scalar(0f));
    }
    return real;
  }

  /** The number of real pairs, a scalar: report it as the metric {@code pairs}. */
  public Tensor realPairCount() {
    if (count == null) {
      count = ops.sumAll(realPairs());
    }
    return count;
  }

  /** The mean of per-pair values {@code [B]} over the real pairs (padding pairs weigh 0): a scalar. */
  public Tensor mean(Tensor perPair) {
    return ops.div(ops.sumAll(ops.mul(perPair, realPairs())), ops.maximum(realPairCount(), ops.scalar(1f)));
  }

  /** {@link #metrics(String, String, Tensor, Tensor, Tensor, Tensor)} named {@code chosen} and {@code rejected}, as TRL. */
  public Map<String, Tensor> metrics(Tensor chosenRewards, Tensor rejectedRewards, Tensor chosenLogps, Tensor rejectedLogps) {
    return metrics("chosen", "rejected", chosenRewards, rejectedRewards, chosenLogps, rejectedLogps);
  }

  /**
   * The standard metrics of a preference objective, as TRL names them, each the mean over the real
   * pairs: {@code rewards/C} and {@code rewards/R} (the implicit rewards, e.g. DPO's {@code beta
   * (log p - log p_ref)}, SimPO's {@code beta log p / |y|}), {@code rewards/accuracies} (the
   * fraction of pairs whose chosen reward is strictly the larger), {@code rewards/margins} (chosen
   * minus rejected reward), {@code logps/C} and {@code logps/R}; and {@code pairs}, the number of
   * real pairs (the weight when metrics are averaged over batches). The map is mutable: add more.
   *
   * @param chosenName {@code C}, e.g. {@code chosen} (or {@code real} in SPIN)
   * @param rejectedName {@code R}, e.g. {@code rejected} (or {@code generated} in SPIN)
   * @param chosenRewards per pair {@code [B]}
   * @param rejectedRewards per pair {@code [B]}
   * @param chosenLogps the chosen completions' log-probs under the model trained, per pair {@code [B]}
   * @param rejectedLogps the same for the rejected completions
   */
  public Map<String, Tensor> metrics(
      String chosenName, String rejectedName, Tensor chosenRewards, Tensor rejectedRewards, Tensor chosenLogps, Tensor rejectedLogps) {
    Tensor margins = ops.sub(chosenRewards, rejectedRewards);
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("rewards/" + chosenName, mean(chosenRewards));
    m.put("rewards/" + rejectedName, mean(rejectedRewards));
    m.put("rewards/accuracies", mean(ops.where(ops.relu(margins), ops.scalar(1f), ops.scalar(0f))));
    m.put("rewards/margins", mean(margins));
    m.put("logps/" + chosenName, mean(chosenLogps));
    m.put("logps/" + rejectedName, mean(rejectedLogps));
    m.put("pairs", realPairCount());
    return m;
  }
}
