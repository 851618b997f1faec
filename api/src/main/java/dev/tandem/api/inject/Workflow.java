package dev.tandem.api.inject;

import dev.tandem.api.option.OptionSpec;
import java.util.List;
import java.util.Map;

/**
 * A training procedure a plugin contributes beyond one {@link dev.tandem.api.train.Trainer} run
 * (SPIN's self-play loop: generate, score, train, evaluate, repeat), reached by the CLI command of
 * the same name through {@link java.util.ServiceLoader} and {@link
 * dev.tandem.api.inject.Tandem#workflow}. The command loads the model and the data through the
 * facade and hands them over in a {@link WorkflowContext}; the workflow builds its trainers with
 * {@link dev.tandem.api.inject.Tandem#trainer}.
 *
 * <p>Declared in the plugin's {@code module-info.java} with {@code provides
 * dev.tandem.api.inject.Workflow with ...}; needs a public no-argument constructor.
 */
public interface Workflow {
  /** Its name, also the CLI command that runs it, e.g. {@code spin}. */
  String name();

  /** One line: what it does. */
  String description();

  /** The name of the objective it trains with unless told otherwise, e.g. {@code spin}. */
  String objective();

  /** Its own options (besides the training flags), with their defaults. */
  default List<OptionSpec> options() {
    return List.of();
  }

  /**
   * The method's recipe where it differs from the training flags' defaults (those of {@code sft}):
   * flag names without dashes to values as typed, e.g. {@code "optimizer" -> "rmsprop"}, {@code
   * "learning-rate" -> "5e-7"}.
   */
  default Map<String, String> trainingDefaults() {
    return Map.of();
  }

  /**
   * Runs (or with {@link WorkflowContext#resume()} resumes) the procedure into {@link
   * WorkflowContext#output()}, printing progress on {@link WorkflowContext#out()}.
   *
   * @throws IllegalArgumentException for a bad option or an objective it cannot train with
   */
  void run(WorkflowContext context) throws Exception;
}
