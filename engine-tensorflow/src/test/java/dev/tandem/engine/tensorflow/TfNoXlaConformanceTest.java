package dev.tandem.engine.tensorflow;

import dev.tandem.api.conformance.EngineConformanceSuite;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;

/** The conformance suite with XLA compilation off ({@code -Dtandem.tf.xla=false}). */
class TfNoXlaConformanceTest extends EngineConformanceSuite {
  @Override
  protected Engine createEngine() {
    return new TfEngineProvider().create(new EngineOptions("cpu", 1), false);
  }
}
