package dev.tandem.spin;

import dev.tandem.api.objective.PreferenceObjective;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Direct Preference Optimization (Rafailov et al. 2023) on {@code {"prompt", "chosen",
 * "rejected"}} pairs: the logistic loss {@code -log sigmoid(beta h)} or the hinge loss {@code relu(1
 * - beta h)} of the log-ratio margin {@code h} (see {@link PreferenceObjective}). Name {@code dpo};
 * metrics {@code rewards/chosen}, {@code rewards/rejected}, {@code rewards/accuracies}, {@code
 * rewards/margins}, {@code logps/chosen}, {@code logps/rejected}. Options: {@code beta} (0.1) and
 * {@code loss} ({@code sigmoid} or {@code hinge}).
 */
public class DpoObjective extends PreferenceObjective {
  /** The name {@code dpo}. */
  public static final String NAME = "dpo";

  /** The shape of the loss in the margin. */
  public enum Loss {
    /** {@code -log sigmoid(beta h)}, DPO's and SPIN's default. */
    SIGMOID,
    /** {@code relu(1 - beta h)}, as in SLiC and SPIN's hinge variant. */
    HINGE;

    /** Parses {@code sigmoid} or {@code hinge}, case-insensitively. */
    public static Loss parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown loss '" + s + "', known: sigmoid, hinge");
      }
    }

    /** The lower-case name, as on the command line. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Loss loss;

  /** Beta 0.1, logistic loss. */
  public DpoObjective() {
    this(DEFAULT_BETA, Loss.SIGMOID);
  }

  /**
   * @param beta the scale of the margin, {@code > 0}
   * @param loss logistic or hinge
   */
  public DpoObjective(float beta, Loss loss) {
    super(beta);
    this.loss = java.util.Objects.requireNonNull(loss, "loss");
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The loss shape. */
  public Loss lossType() {
    return loss;
  }

  @Override
  public DpoObjective withBeta(float beta) {
    return new DpoObjective(beta, loss);
  }

  /** The same objective with another loss shape. */
  public DpoObjective withLoss(Loss loss) {
    return new DpoObjective(beta(), loss);
  }

  /** {@code beta} and {@code loss}, with this instance's values as defaults. */
  @Override
  public List<OptionSpec> options() {
    return List.of(
        betaOption("scale of the log-ratio margin (the strength of the implicit KL penalty), > 0"),
        new OptionSpec("loss", Loss.class, loss.label(), "sigmoid: -log sigmoid(beta h); hinge: relu(1 - beta h)"));
  }

  @Override
  public DpoObjective withOptions(Map<String, String> values) {
    OptionValues v = OptionValues.parse("objective '" + name() + "'", options(), values);
    return values.isEmpty() ? this : withBeta(v.getFloat("beta")).withLoss(v.getEnum("loss", Loss.class));
  }

  @Override
  protected Tensor pairLosses(TensorOps ops, Tensor margins) {
    Tensor scaled = ops.mul(margins, beta());
    return switch (loss) {
      case SIGMOID -> ops.neg(ops.logSigmoid(scaled));
      case HINGE -> ops.relu(ops.sub(ops.scalar(1f), scaled));
    };
  }

  @Override
  public String toString() {
    return name() + "(beta " + beta() + ", " + loss.label() + ")";
  }
}
