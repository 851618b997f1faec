package org.example.tandem.ipo;

import dev.tandem.api.objective.PreferenceObjective;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;

/**
 * Identity Preference Optimisation (Azar et al. 2023, "A General Theoretical Paradigm to
 * Understand Learning from Human Preferences", eq. 17): the squared distance of the log-ratio
 * margin {@code h} from {@code 1 / (2 beta)},
 *
 * <pre>loss = (h - 1 / (2 beta))^2,   h = (log p(chosen) - log p_ref(chosen)) - (log p(rejected) - log p_ref(rejected))</pre>
 *
 * with beta the paper's tau. Where DPO's logistic loss keeps pushing the margin up, IPO regresses
 * it to a finite target, so it does not overfit deterministic preferences. The log-probs are sums
 * over completion tokens, as {@link PreferenceObjective} computes them (the paper's sequence
 * likelihoods; TRL's {@code loss_type="ipo"} divides them by the completion length instead).
 *
 * <p>Name {@code ipo}; train it with {@code tandem dpo --objective ipo --beta B} (or {@code --option
 * beta=B}). Its one option, {@code beta}, is listed by {@code tandem objectives}. The metrics are
 * {@link PreferenceObjective}'s ({@code rewards/chosen}, {@code rewards/margins}, ...).
 */
public final class IpoObjective extends PreferenceObjective {
  /** The name users select it by: {@code ipo}. */
  public static final String NAME = "ipo";

  /** Beta 0.1 ({@link #DEFAULT_BETA}): ServiceLoader creates the objective through this. */
  public IpoObjective() {
    this(DEFAULT_BETA);
  }

  /**
   * @param beta the regularisation strength tau, {@code > 0}; the margin's target is {@code 1 / (2
   *     beta)}
   */
  public IpoObjective(float beta) {
    super(beta);
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * The options users can set, as {@code tandem objectives} lists them: {@link PreferenceObjective}
   * declares {@code beta} already; IPO only says what it means here. {@code --option beta=B} (or
   * {@code --beta B}) reaches {@link #withBeta} through the inherited {@code withOptions}.
   */
  @Override
  public List<OptionSpec> options() {
    return List.of(betaOption("the paper's tau: the margin's target is 1/(2 beta), > 0"));
  }

  /** {@code tandem dpo --beta B} calls this on the instance ServiceLoader made. */
  @Override
  public IpoObjective withBeta(float beta) {
    return new IpoObjective(beta);
  }

  /** {@code (h - 1 / (2 beta))^2} per pair; {@code margins} holds the unscaled {@code h}. */
  @Override
  protected Tensor pairLosses(TensorOps ops, Tensor margins) {
    Tensor target = ops.scalar(1f / (2f * beta()));
    return ops.square(ops.sub(margins, target));
  }
}
