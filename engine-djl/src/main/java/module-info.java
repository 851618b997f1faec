/**
 * Tandem's DJL engine: the tensor SPI on DJL's PyTorch engine, executed eagerly.
 *
 * <p>The libtorch native jar ({@code ai.djl.pytorch:pytorch-native-cpu}) must stay on the class
 * path: its automatic module name is not a valid module name. DJL finds it there from the module
 * path too, since automatic modules read the unnamed module.
 */
module dev.tandem.engine.djl {
  requires dev.tandem.api;
  requires ai.djl.api;
  requires ai.djl.pytorch_engine;
  requires org.slf4j;

  provides dev.tandem.api.engine.EngineProvider with
      dev.tandem.engine.djl.DjlEngineProvider;
}
