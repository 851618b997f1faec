/**
 * Tandem's TensorFlow engine: the tensor SPI on TensorFlow Java. Functions are traced once per
 * input-shape signature into one {@code Graph} per engine, gradients come from {@code
 * Graph.addGradients}, and every call is one {@code Session.run}.
 *
 * <p>The native library ({@code org.tensorflow:tensorflow-core-native}, classifier {@code
 * linux-x86_64}) is unpacked by JavaCPP on first use (about 650 MB); set {@code TANDEM_TF_CACHE}
 * or {@code -Dtandem.tf.cache} to choose where.
 */
module dev.tandem.engine.tensorflow {
  requires dev.tandem.api;
  requires tensorflow;
  requires org.slf4j;

  provides dev.tandem.api.engine.EngineProvider with
      dev.tandem.engine.tensorflow.TfEngineProvider;
}
