package dev.tandem.api.objective;

import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
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
 * <p>Built on {@link PreferenceBatch}, which a loss that is not a function of {@code h} (SimPO's,
 * reference-free and length-normalised) uses directly. Metrics, as TRL and the SPIN trainer log them ({@code C} and {@code R} are {@link
 * #chosenName()} and {@link #rejectedName()}, e.g. {@code chosen}/{@code rejected} or {@code
 * real}/{@code generated}): {@code rewards/C} and {@code rewards/R}, the mean of {@code beta (log p
 * - log p_ref)}; {@code rewards/accuracies}, the fraction of pairs whose chosen reward is strictly
 * the larger; {@code rewards/margins}, the mean of {@code beta h}; {@code logps/C} and {@code
 * logps/R}, the mean summed log-probs under the model being trained; and {@code pairs}, the number
 * of real pairs (the weight for averaging over batches).
 *
 * <p>A subclass implements {@link #name()}, {@link #pairLosses} and {@link #withBeta}, has a public
 * no-argument constructor (beta {@link #DEFAULT_BETA}) for {@link java.util.ServiceLoader}, is
 * immutable, and is registered like any {@link Objective}. It declares the option {@code beta}
 * ({@link #options()}): {@code tandem dpo --objective NAME --beta B} (or {@code --option beta=B})
 * calls {@code withBeta(B)} on the registered instance. To declare more options, override {@link
 * #options()} and {@link #withOptions}. IPO, complete:
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
    PreferenceBatch pairs = PreferenceBatch.of(ops, batch);
    Tensor logps = ops.tidy(() -> pairs.summedLogProbs(model, params));
    Tensor chosen = pairs.chosen(logps);
    Tensor rejected = pairs.rejected(logps);
    Tensor chosenRatio = ops.sub(chosen, pairs.chosen(pairs.reference()));
    Tensor rejectedRatio = ops.sub(rejected, pairs.rejected(pairs.reference()));
    Tensor loss = pairs.mean(pairLosses(ops, ops.sub(chosenRatio, rejectedRatio)));
    Map<String, Tensor> metrics =
        pairs.metrics(chosenName(), rejectedName(), ops.mul(chosenRatio, beta), ops.mul(rejectedRatio, beta), chosen, rejected);
    return new LossOutput(loss, metrics);
  }

  /**
   * {@code beta}, with this instance's value as the default. A subclass with more options
   * overrides this and {@link #withOptions} (see {@code DpoObjective}).
   */
  @Override
  public List<OptionSpec> options() {
    return List.of(betaOption("scale of the log-ratio margin (the strength of the implicit KL penalty), > 0"));
  }

  /** The {@code beta} option with this instance's value and the given doc line. */
  protected final OptionSpec betaOption(String doc) {
    return new OptionSpec("beta", Float.class, Float.toString(beta), doc);
  }

  /** {@link #withBeta} with the {@code beta} given, or this instance when none is. */
  @Override
  public PreferenceObjective withOptions(Map<String, String> values) {
    OptionValues v = OptionValues.parse("objective '" + name() + "'", options(), values);
    return values.isEmpty() ? this : withBeta(v.getFloat("beta"));
  }

  @Override
  public String toString() {
    return name() + "(beta " + beta + ")";
  }
}
