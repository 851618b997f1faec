package dev.tandem.api.objective;

import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared machinery of DPO-style objectives over {@link InputLayout#PREFERENCE_PAIRS} batches: a
 * subclass says only how one pair's loss follows from its log-ratio margin
 *
 * <pre>h = (log p(chosen) - log p_ref(chosen)) - (log p(rejected) - log p_ref(rejected))</pre>
 *
 * where the log-probs are summed over completion tokens (prompt and padding masked). DPO's logistic
 * loss is {@code -log sigmoid(beta h)}, its hinge variant {@code relu(1 - beta h)}, IPO's {@code (h
 * - 1 / (2 beta))^2}. The loss is the mean over the real pairs of a batch: all-padding pairs (a
 * short last batch) are ignored.
 *
 * <p>Metrics, as TRL and the SPIN trainer log them ({@code C} and {@code R} are {@link
 * #chosenName()} and {@link #rejectedName()}, e.g. {@code chosen}/{@code rejected} or {@code
 * real}/{@code generated}): {@code rewards/C} and {@code rewards/R}, the mean of {@code beta (log p
 * - log p_ref)}; {@code rewards/accuracies}, the fraction of pairs whose chosen reward is strictly
 * the larger; {@code rewards/margins}, the mean of {@code beta h}; {@code logps/C} and {@code
 * logps/R}, the mean summed log-probs under the model being trained; and {@code pairs}, the number
 * of real pairs (the weight for averaging over batches).
 *
 * <p>A subclass implements {@link #name()}, {@link #pairLosses} and {@link #withBeta}, has a public
 * no-argument constructor (beta {@link #DEFAULT_BETA}) for {@link java.util.ServiceLoader}, is
 * immutable, and is registered like any {@link Objective}. {@code tandem dpo --objective NAME --beta
 * B} calls {@code withBeta(B)} on the registered instance. IPO, complete:
 *
 * <pre>{@code
 * public final class IpoObjective extends PreferenceObjective {
 *   public IpoObjective() { this(DEFAULT_BETA); }
 *   public IpoObjective(float beta) { super(beta); }
 *   public String name() { return "ipo"; }
 *   public IpoObjective withBeta(float beta) { return new IpoObjective(beta); }
 *   protected Tensor pairLosses(TensorOps ops, Tensor margins) {        // margins: h, not beta h
 *     return ops.square(ops.sub(margins, ops.scalar(1f / (2f * beta()))));
 *   }
 * }
 * }</pre>
 *
 * <p>To log more metrics, override {@link #loss} and add to the {@link LossOutput} that {@code
 * super.loss} returns.
 */
public abstract class PreferenceObjective implements Objective {
  /** The default beta, as in DPO and SPIN. */
  public static final float DEFAULT_BETA = 0.1f;

  private final float beta;

  /**
   * @param beta the strength of the implicit KL penalty, {@code > 0}
   * @throws IllegalArgumentException if beta is not a positive finite number
   */
  protected PreferenceObjective(float beta) {
    if (!(beta > 0) || Float.isInfinite(beta)) {
      throw new IllegalArgumentException("beta must be > 0, not " + beta);
    }
    this.beta = beta;
  }

  /** Beta, the scale of the log-ratio margin. */
  public final float beta() {
    return beta;
  }

  /**
   * The same objective, of the same class and with the same other settings, with another beta
   * ({@code --beta} on the command line).
   *
   * @throws IllegalArgumentException if beta is not a positive finite number (the constructor
   *     checks it)
   */
  public abstract PreferenceObjective withBeta(float beta);

  /**
   * The per-pair losses {@code [B]} FLOAT32 from the log-ratio margins {@code [B]}: {@code
   * margins} holds {@code h} itself, not {@code beta h}, so scale by {@link #beta()} where the loss
   * needs it (DPO: {@code -log sigmoid(beta h)}). Padding pairs have margin 0; their losses are
   * ignored. Compute only with {@code ops} (this runs inside the traced loss); the mean over the
   * real pairs is taken for you.
   */
  protected abstract Tensor pairLosses(TensorOps ops, Tensor margins);

  /** The name of the chosen response in metrics: {@code chosen}. */
  protected String chosenName() {
    return "chosen";
  }

  /** The name of the rejected response in metrics: {@code rejected}. */
  protected String rejectedName() {
    return "rejected";
  }

  @Override
  public final InputLayout inputLayout() {
    return InputLayout.PREFERENCE_PAIRS;
  }

  @Override
  public LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch) {
    Tensor ids = batch.get(0);
    Tensor targets = batch.get(1);
    Tensor mask = batch.get(2);
    Tensor ref = batch.get(3);
    int rows = ids.shape().dim(0);
    if (rows % 2 != 0 || ref.shape().rank() != 1 || ref.shape().dim(0) != rows) {
      throw new IllegalArgumentException(
          "a preference batch has 2B rows and reference log-probs [2B], got ids " + ids.shape() + " and reference " + ref.shape());
    }
    int b = rows / 2;
    Tensor logits = model.forward(ops, params, ids, null, null);
    Tensor logps = SequenceLogProbs.summed(ops, logits, targets, mask);
    Tensor chosen = ops.slice(logps, 0, 0, b);
    Tensor rejected = ops.slice(logps, 0, b, rows);
    Tensor chosenRatio = ops.sub(chosen, ops.slice(ref, 0, 0, b));
    Tensor rejectedRatio = ops.sub(rejected, ops.slice(ref, 0, b, rows));
    Tensor margins = ops.sub(chosenRatio, rejectedRatio);

    // a pair is real when its chosen row has a completion token; padding pairs weigh 0
    Tensor one = ops.scalar(1f);
    Tensor zero = ops.scalar(0f);
    Tensor real = ops.where(ops.sum(ops.slice(mask, 0, 0, b), 1, false), one, zero);
    Tensor pairs = ops.sumAll(real);
    Tensor denominator = ops.maximum(pairs, one);

    Tensor loss = ops.div(ops.sumAll(ops.mul(pairLosses(ops, margins), real)), denominator);
    Map<String, Tensor> metrics = new LinkedHashMap<>();
    metrics.put("rewards/" + chosenName(), mean(ops, ops.mul(chosenRatio, beta), real, denominator));
    metrics.put("rewards/" + rejectedName(), mean(ops, ops.mul(rejectedRatio, beta), real, denominator));
    metrics.put("rewards/accuracies", mean(ops, ops.where(ops.relu(margins), one, zero), real, denominator));
    metrics.put("rewards/margins", mean(ops, ops.mul(margins, beta), real, denominator));
    metrics.put("logps/" + chosenName(), mean(ops, chosen, real, denominator));
    metrics.put("logps/" + rejectedName(), mean(ops, rejected, real, denominator));
    metrics.put("pairs", pairs);
    return new LossOutput(loss, metrics);
  }

  private static Tensor mean(TensorOps ops, Tensor values, Tensor real, Tensor denominator) {
    return ops.div(ops.sumAll(ops.mul(values, real)), denominator);
  }

  @Override
  public String toString() {
    return name() + "(beta " + beta + ")";
  }
}
