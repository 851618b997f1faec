/**
 * Training objectives: the {@link dev.tandem.api.objective.Objective} SPI, the built-in {@code sft}
 * objective, {@link dev.tandem.api.objective.PreferenceObjective}, the base of pairwise objectives
 * of the log-ratio margin such as DPO, SPIN and IPO, and the helpers any preference objective can
 * use: {@link dev.tandem.api.objective.PreferenceBatch} (chosen and rejected log-probs, summed or
 * length-normalised, the real-pair mask, the mean over real pairs and TRL's metrics) and {@link
 * dev.tandem.api.objective.SequenceLogProbs}.
 *
 * <h2>Writing an objective in your own jar</h2>
 *
 * <ol>
 *   <li><b>Depend on the api only</b>: {@code dev.tandem:tandem-api} in {@code provided} scope (the
 *       Tandem installation that loads your jar supplies it), and its {@code test-jar} in test scope
 *       for {@code dev.tandem.api.testing.HostOps}. Never on an engine or another plugin.
 *   <li><b>Pick the batch layout</b> ({@link dev.tandem.api.objective.InputLayout}), which also picks
 *       the command that trains it: {@link dev.tandem.api.objective.InputLayout#SEQUENCES} ({@code
 *       tandem sft --objective NAME}, prompt/completion data) or {@link
 *       dev.tandem.api.objective.InputLayout#PREFERENCE_PAIRS} ({@code tandem dpo --objective NAME},
 *       prompt/chosen/rejected data).
 *   <li><b>Write the class.</b> A pairwise loss of the log-ratio margin {@code h}: extend {@link
 *       dev.tandem.api.objective.PreferenceObjective} and implement {@code name()}, {@code
 *       pairLosses(ops, margins)} and {@code withBeta(beta)} (that is all: the log-probs, the
 *       reference, padding and the metrics are done for you). Another preference loss (SimPO's,
 *       of length-normalised log-probs without a reference): implement {@link
 *       dev.tandem.api.objective.Objective#loss} with {@link
 *       dev.tandem.api.objective.PreferenceBatch}, and return false from {@code needsReference()}
 *       if the loss never reads the reference, so commands skip computing it. A sequence loss:
 *       implement {@code loss} with {@link dev.tandem.api.objective.SequenceLogProbs}.
 *   <li><b>Declare its hyperparameters</b>: {@code options()} lists them ({@link
 *       dev.tandem.api.option.OptionSpec}: name, type, default, one line of doc) and {@code
 *       withOptions(values)} returns a configured copy, parsing with {@link
 *       dev.tandem.api.option.OptionValues}. Users set them with {@code --option NAME=VALUE} ({@code
 *       --beta B} for {@code beta}) and see them in {@code tandem objectives}; a {@code
 *       PreferenceObjective} declares {@code beta} already.
 *   <li><b>Follow the tracing rules</b> of {@link dev.tandem.api.engine.TensorFunction}: compute
 *       only with the {@link dev.tandem.api.tensor.TensorOps} you are given, never read a tensor's
 *       values, branch only on shapes and configuration; keep no state (objectives are immutable
 *       and shared).
 *   <li><b>Register it</b> for {@link java.util.ServiceLoader}: {@code provides
 *       dev.tandem.api.objective.Objective with your.Impl;} in {@code module-info.java} (module
 *       path), and the class name in {@code META-INF/services/dev.tandem.api.objective.Objective}
 *       (class path); the class needs a public no-argument constructor. This is the one way to
 *       register an objective (spin-module registers {@code spin}, {@code dpo} and {@code simpo}
 *       so); an embedder without discovery uses {@link dev.tandem.api.inject.Tandem.Builder#objective}.
 *   <li><b>Test it without an engine</b>: {@code HostOps} (plain-Java, forward-only {@code
 *       TensorOps}) runs {@code pairLosses} or the whole {@code loss} on hand-made tensors. The
 *       test-jar is not a module: run such tests on the class path (surefire {@code
 *       useModulePath=false}).
 *   <li><b>Run it</b>: put the jar on the plugin path ({@code TANDEM_MODULE_PATH=your.jar ./tandem
 *       ...}, see {@link dev.tandem.api.inject.PluginLayers}), or an application's module path;
 *       {@code tandem objectives} lists every objective found and where it came from, and marks a
 *       jar that was skipped as broken, with the reason.
 * </ol>
 *
 * <p>Names are what users type: lower-case and unique. A plugin jar's objective under a name already
 * taken is skipped with a warning; two of Tandem's own under one name are an error ({@link
 * dev.tandem.api.inject.Tandem#objectives()}), and an unknown name is an
 * error that lists the known ones. A complete, tested example is {@code
 * examples/third-party-objective} (IPO) in the Tandem repository; {@code dev.tandem.spin.DpoObjective}
 * is another.
 */
package dev.tandem.api.objective;
