package dev.tandem.engine.djl;

import dev.tandem.api.conformance.EngineConformanceSuite;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;

/** The shared engine conformance suite, on the DJL engine (CPU, one thread). */
class DjlConformanceTest extends EngineConformanceSuite {
  @Override
  protected Engine createEngine() {
    return new DjlEngineProvider().create(new EngineOptions("cpu", 1));
  }
}
