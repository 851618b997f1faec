package dev.tandem.engine.tensorflow;

import dev.tandem.api.conformance.EngineConformanceSuite;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;

/** The shared engine conformance suite, on the TensorFlow engine (CPU, one thread). */
class TfConformanceTest extends EngineConformanceSuite {
  @Override
  protected Engine createEngine() {
    return new TfEngineProvider().create(new EngineOptions("cpu", 1));
  }
}
