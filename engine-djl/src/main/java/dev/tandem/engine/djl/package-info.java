/**
 * The DJL (PyTorch) engine: {@link dev.tandem.engine.djl.DjlEngineProvider} is the ServiceLoader
 * entry ({@code --engine djl}); everything else is package-private. Ops run eagerly through DJL's
 * JNI; the tanh GELU and the optimizer updates of the built-in optimizers run as fused kernels of a
 * small TorchScript module ({@code DjlKernels}).
 */
package dev.tandem.engine.djl;
