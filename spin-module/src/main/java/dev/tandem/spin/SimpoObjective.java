package dev.tandem.spin;

import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.objective.InputLayout;
import dev.tandem.api.objective.Objective;
import dev.tandem.api.objective.PreferenceBatch;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;

/**
 * SimPO (Meng, Xia and Chen 2024, "Simple Preference Optimization with a Reference-Free Reward"):
 * the reward is the length-normalised log-prob {@code beta log p(y|x) / |y|}, with no reference model,
 * and the loss asks the chosen reward to beat the rejected one by a margin {@code gamma}:
 *
 * <pre>loss = -log sigmoid(beta / |y_w| log p(y_w|x) - beta / |y_l| log p(y_l|x) - gamma)</pre>
 *
 * <p>Defaults: beta 2.0 (the paper's base-model setting; it tunes 2.0 to 2.5) and gamma 0.5 (TRL's
 * {@code simpo_gamma}), gamma being the absolute margin as in the formula above (some
 * implementations take the ratio {@code gamma / beta} instead: 0.5 at beta 2.0 is a ratio of 0.25).
 * The paper tunes gamma per model, so set it with {@code --option gamma=G}. Name {@code simpo};
 * train it with {@code tandem dpo --objective simpo --option gamma=0.3}. Metrics as TRL's {@code
 * CPOTrainer} logs SimPO: {@code rewards/*} of the reward above, {@code logps/*} length-normalised.
 * This is SimPO alone: TRL's {@code CPOTrainer} may add a chosen-NLL term ({@code cpo_alpha}); set
 * that to 0 there to compare.
 */
public final class SimpoObjective implements Objective {
  private final float beta;
  private final float gamma;

  /** Beta 2.0, gamma 0.5. */
  public SimpoObjective() {
    this(2.0f, 0.5f);
  }

  /**
   * @param beta the reward scale, {@code > 0}
   * @param gamma the target reward margin, finite (0 disables it)
   */
  public SimpoObjective(float beta, float gamma) {
    if (!(beta > 0) || Float.isInfinite(beta) || !Float.isFinite(gamma)) {
      throw new IllegalArgumentException("simpo needs beta > 0 and a finite gamma, not beta " + beta + ", gamma " + gamma);
    }
    this.beta = beta;
    this.gamma = gamma;
  }

  @Override
  public String name() {
    return "simpo";
  }

  @Override
  public InputLayout inputLayout() {
    return InputLayout.PREFERENCE_PAIRS;
  }

  /** False: SimPO is reference-free, so commands skip the reference forward pass. */
  @Override
  public boolean needsReference() {
    return false;
  }

  @Override
  public List<OptionSpec> options() {
    return List.of(
        new OptionSpec("beta", Float.class, Float.toString(beta), "scale of the length-normalised log-prob reward, > 0"),
        new OptionSpec("gamma", Float.class, Float.toString(gamma), "target margin between the chosen and rejected rewards"));
  }

  @Override
  public SimpoObjective withOptions(Map<String, String> values) {
    OptionValues v = OptionValues.parse("objective '" + name() + "'", options(), values);
    return values.isEmpty() ? this : new SimpoObjective(v.getFloat("beta"), v.getFloat("gamma"));
  }

  @Override
  public LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch) {
    PreferenceBatch pairs = PreferenceBatch.of(ops, batch);
    Tensor logps = ops.tidy(() -> pairs.averageLogProbs(model, params));
    Tensor chosen = ops.mul(pairs.chosen(logps), beta);
    Tensor rejected = ops.mul(pairs.rejected(logps), beta);
    Tensor losses = ops.neg(ops.logSigmoid(ops.sub(ops.sub(chosen, rejected), ops.scalar(gamma))));
    return new LossOutput(pairs.mean(losses), pairs.metrics(chosen, rejected, pairs.chosen(logps), pairs.rejected(logps)));
  }

  @Override
  public String toString() {
    return "simpo(beta " + beta + ", gamma " + gamma + ")";
  }
}
