/**
 * The TensorFlow engine: {@link dev.tandem.engine.tensorflow.TfEngineProvider} is the only public
 * type; everything else implements the SPI behind it. Functions and train steps are traced into one
 * graph per engine ({@code Trace}, {@code TfOps}), parameters and optimizer state are resource
 * variables ({@code TfVariable}), and device tensors are native TensorFlow tensors ({@code
 * TfValue}).
 */
package dev.tandem.engine.tensorflow;
