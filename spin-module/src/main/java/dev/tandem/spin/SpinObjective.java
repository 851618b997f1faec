package dev.tandem.spin;

import dev.tandem.api.objective.PreferenceObjective;
import java.util.Map;

/**
 * SPIN's loss: DPO with the human response as the chosen one and the opponent's (the previous
 * iteration's) generation as the rejected one, the reference being the opponent itself:
 *
 * <pre>-log sigmoid(beta ((log p(y|x) - log p_ref(y|x)) - (log p(y'|x) - log p_ref(y'|x))))</pre>
 *
 * or its hinge variant {@code relu(1 - beta * margin)}, log-probs summed over the response tokens.
 * Name {@code spin}; it logs what the official trainer logs: {@code rewards/real}, {@code
 * rewards/generated}, {@code rewards/accuracies}, {@code rewards/margins}, {@code logps/real},
 * {@code logps/generated}.
 */
public final class SpinObjective extends DpoObjective {
  /** The name {@code spin}. */
  public static final String NAME = "spin";

  /** Beta 0.1, logistic loss, as the paper. */
  public SpinObjective() {
    this(PreferenceObjective.DEFAULT_BETA, Loss.SIGMOID);
  }

  /**
   * @param beta the scale of the margin, {@code > 0}
   * @param loss logistic or hinge
   */
  public SpinObjective(float beta, Loss loss) {
    super(beta, loss);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public SpinObjective withBeta(float beta) {
    return new SpinObjective(beta, lossType());
  }

  @Override
  public SpinObjective withLoss(Loss loss) {
    return new SpinObjective(beta(), loss);
  }

  @Override
  public SpinObjective withOptions(Map<String, String> values) {
    return (SpinObjective) super.withOptions(values);
  }

  @Override
  protected String chosenName() {
    return "real";
  }

  @Override
  protected String rejectedName() {
    return "generated";
  }
}
