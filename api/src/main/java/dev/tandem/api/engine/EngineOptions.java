package dev.tandem.api.engine;

/**
 * Options for {@link EngineProvider#create}.
 *
 * @param device {@code auto} (the GPU when the engine reports one, else the CPU), {@code cpu} or
 *     {@code gpu}; asking for {@code gpu} where there is none is an error
 * @param threads intra-op threads, or 0 for the engine's default
 */
public record EngineOptions(String device, int threads) {
  public EngineOptions {
    device = device == null ? "auto" : device;
    if (!device.equals("auto") && !device.equals("cpu") && !device.equals("gpu")) {
      throw new IllegalArgumentException("device must be auto, cpu or gpu, not '" + device + "'");
    }
    if (threads < 0) {
      throw new IllegalArgumentException("threads must be >= 0, not " + threads);
    }
  }

  public static EngineOptions defaults() {
    return new EngineOptions("auto", 0);
  }
}
