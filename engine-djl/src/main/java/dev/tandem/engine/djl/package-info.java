/**
 * The DJL (PyTorch) engine: {@link dev.tandem.engine.djl.DjlEngineProvider} is the ServiceLoader
 * entry ({@code --engine djl}); everything else is package-private. Ops run eagerly through DJL's
 * JNI; the tanh GELU and whole-model optimizer updates run as fused kernels of a small TorchScript
 * module ({@code DjlKernels}). The train step offers those kernels to the optimizer through the
 * api's hook ({@link dev.tandem.api.optim.Optimizer#applyFused}); the built-in optimizers take
 * them, any other optimizer runs op by op. The engine never inspects optimizer classes.
 */
package dev.tandem.engine.djl;
