/**
 * Optimizers written once over the op set: {@link dev.tandem.api.optim.Optimizer} (a pure
 * per-parameter update rule), the built-in {@link dev.tandem.api.optim.AdamW}, {@link
 * dev.tandem.api.optim.RmsProp} and {@link dev.tandem.api.optim.Sgd}, and {@link
 * dev.tandem.api.optim.UpdateRule} (global-norm clipping, then the optimizer over every trainable
 * parameter), which every engine runs op by op: eagerly or traced into its graph.
 *
 * <h2>Fused updates: the optimizer's hook</h2>
 *
 * An engine with fused whole-model kernels (the DJL engine's TorchScript AdamW, RMSProp and SGD)
 * implements {@link dev.tandem.api.optim.FusedKernels} and, before the op-by-op path, offers it to
 * the optimizer: {@link dev.tandem.api.optim.Optimizer#applyFused
 * optimizer.applyFused(kernels, step)} with the parameters, gradients and state of the step ({@link
 * dev.tandem.api.optim.FusedStep}). The optimizer picks the kernel that computes its own update and
 * passes its hyperparameters (AdamW also decides which parameters decay); an empty answer (the
 * default for every optimizer, and for every kernel an engine lacks) means nothing changed and the
 * engine runs {@link dev.tandem.api.optim.UpdateRule#apply}. This is DJL's own way (its {@code Adam}
 * calls {@code NDArrayEx.adamUpdate}): no engine inspects optimizer classes, a third-party optimizer
 * works on every engine without a kernel, and each formula is written once, here, with the kernels'
 * contracts stated against it and checked by the engines' tests.
 *
 * <p>Depends on {@code dev.tandem.api.tensor} only.
 */
package dev.tandem.api.optim;
