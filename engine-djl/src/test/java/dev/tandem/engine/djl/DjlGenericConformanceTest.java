package dev.tandem.engine.djl;

import dev.tandem.api.conformance.EngineConformanceSuite;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;

/**
 * The conformance suite on the DJL engine without its fused kernels: every op and optimizer update
 * as a composition of DJL ops, the path taken when the kernels cannot load or for custom
 * optimizers.
 */
class DjlGenericConformanceTest extends EngineConformanceSuite {
  @Override
  protected Engine createEngine() {
    return new DjlEngineProvider().create(new EngineOptions("cpu", 1), false);
  }
}
