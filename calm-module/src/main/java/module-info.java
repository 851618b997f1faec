/**
 * CALM (Bansal et al. 2024): frozen anchor and augmenting models composed through trainable
 * cross-attention, and LoRA on the anchor as the baseline; both as {@link
 * dev.tandem.api.compose.CompositionStrategy} plugins written over the api's op set, registered once,
 * by the {@code provides} clause below (the facade finds them through {@link java.util.ServiceLoader}
 * and exposes them in its Guice registry). Also the data of the paper's key-value arithmetic
 * experiment, and the experiment itself ({@code tandem demo calm}).
 */
module dev.tandem.calm {
  requires dev.tandem.api;
  requires org.knowm.xchart;
  requires java.desktop;

  exports dev.tandem.calm;
  exports dev.tandem.calm.kv;

  opens dev.tandem.calm to com.google.guice;

  provides dev.tandem.api.compose.CompositionStrategy with
      dev.tandem.calm.CalmStrategy,
      dev.tandem.calm.LoraStrategy;
  provides dev.tandem.api.inject.Experiment with
      dev.tandem.calm.demo.CalmDemo;
}
