package dev.tandem.engine.tensorflow;

import dev.tandem.api.conformance.EngineConformanceSuite;
import dev.tandem.api.engine.Engine;
import dev.tandem.api.engine.EngineOptions;

/** The conformance suite with Grappler on ({@code -Dtandem.tf.grappler=true}), XLA off. */
class TfGrapplerConformanceTest extends EngineConformanceSuite {
  @Override
  protected Engine createEngine() {
    return new TfEngineProvider().create(new EngineOptions("cpu", 1), false, true);
  }
}
