package dev.tandem.api.objective;

import dev.tandem.api.engine.LossOutput;
import dev.tandem.api.engine.Parameters;
import dev.tandem.api.model.CausalLM;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.tensor.Tensor;
import dev.tandem.api.tensor.TensorOps;
import java.util.List;
import java.util.Map;

/**
 * A training objective: a scalar loss (and named metrics) of a model on one batch, written over
 * {@link TensorOps} so that it runs on every engine. Users select it by {@link #name()}: {@code
 * tandem sft --objective NAME} for {@link InputLayout#SEQUENCES}, {@code tandem dpo --objective
 * NAME} for {@link InputLayout#PREFERENCE_PAIRS}.
 *
 * <p>To add one, implement this interface (for a pairwise loss, extend {@link PreferenceObjective}
 * instead: it does the rest) in your own module, and declare it with {@code provides
 * dev.tandem.api.objective.Objective with your.Impl;} in {@code module-info.java} (or list it in
 * {@code META-INF/services/dev.tandem.api.objective.Objective} on the class path). {@link
 * java.util.ServiceLoader} creates one instance through the public no-argument constructor, and the
 * same instance serves every run, thread and engine, so an implementation must be immutable. It
 * must also follow the rules of {@link dev.tandem.api.engine.TensorFunction}: an engine may trace
 * {@link #loss} once per input shapes and replay the graph, so never read tensor values and branch
 * only on shapes and configuration. The package documentation walks through the steps.
 *
 * <p>Hyperparameters are declared, not hard-coded in a command: {@link #options()} describes them
 * and {@link #withOptions} returns a copy configured with values a user gave ({@code tandem dpo
 * --objective NAME --option gamma=0.3}); {@code tandem objectives} lists them.
 */
public interface Objective {
  /**
   * The name users select it by, e.g. {@code sft}: lower-case, and unique among the objectives
   * found (two classes under one name are an error naming both; a plugin jar's objective under a
   * taken name is skipped with a warning naming both).
   */
  String name();

  /**
   * The layout of the batch tensors this objective consumes, which also decides the command that
   * trains it; {@link InputLayout#SEQUENCES} unless overridden.
   */
  default InputLayout inputLayout() {
    return InputLayout.SEQUENCES;
  }

  /**
   * The loss of {@code model} with parameters {@code params} on one batch. Get the logits with
   * {@code model.forward(ops, params, ids, null, null)} ({@code [B, T, V]}) and the completion
   * tokens' log-probs with {@link SequenceLogProbs}.
   *
   * <p>The metrics are scalars the trainer logs as they are named (e.g. {@code rewards/margins}).
   * Two names are also weights when losses are averaged over batches: {@code tokens} (the number of
   * tokens the loss covers; SFT reports it) and {@code pairs} (the number of real preference pairs;
   * {@link PreferenceObjective} reports it). Report the one that fits, or every batch weighs the
   * same.
   *
   * @param ops the op set of the engine running (or tracing) the loss
   * @param model the model being trained
   * @param params its parameters, trainable and frozen
   * @param batch the batch tensors, in the order {@link #inputLayout()} documents
   * @return a scalar loss to minimise and named scalar metrics
   */
  LossOutput loss(TensorOps ops, CausalLM model, Parameters params, List<Tensor> batch);

  /**
   * The hyperparameters this objective takes, each with its value in this instance as the default
   * (so the registered instance shows the defaults users get); none unless overridden. A user sets
   * them with {@code --option NAME=VALUE}, and {@code --beta B} is {@code --option beta=B} for an
   * objective that declares {@code beta}.
   */
  default List<OptionSpec> options() {
    return List.of();
  }

  /**
   * This objective with the given option values and its other settings unchanged: a new instance
   * (objectives are immutable), or this one when {@code values} is empty. Override it together with
   * {@link #options()}; parse with {@link OptionValues#parse}, which checks the names and values:
   *
   * <pre>{@code
   * public SimpoObjective withOptions(Map<String, String> values) {
   *   OptionValues v = OptionValues.parse("objective '" + name() + "'", options(), values);
   *   return new SimpoObjective(v.getFloat("beta"), v.getFloat("gamma"));
   * }
   * }</pre>
   *
   * @param values option values by name, as typed (e.g. {@code gamma -> "0.3"})
   * @throws IllegalArgumentException for an option this objective does not declare (the message
   *     lists those it does) or a value that does not parse or is out of range (the message names
   *     the option and the value)
   */
  default Objective withOptions(Map<String, String> values) {
    OptionValues.parse("objective '" + name() + "'", options(), values);
    if (!values.isEmpty()) {
      throw new IllegalStateException(getClass().getName() + " declares options but does not override withOptions");
    }
    return this;
  }

  /**
   * Whether {@link #loss} reads the reference model's log-probs of a {@link
   * InputLayout#PREFERENCE_PAIRS} batch ({@code [3]}). When false, commands skip the reference
   * forward pass over the data and the tensor holds zeros. True for the preference layout (DPO,
   * SPIN) unless overridden; a reference-free objective such as SimPO returns false.
   */
  default boolean needsReference() {
    return inputLayout() == InputLayout.PREFERENCE_PAIRS;
  }
}
