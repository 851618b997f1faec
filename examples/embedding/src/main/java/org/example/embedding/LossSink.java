package org.example.embedding;

import dev.tandem.api.train.TrainingListener;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The application's own metrics sink. Bound over the framework's default {@link TrainingListener}
 * with {@code Modules.override} (through {@code Tandem.builder().override}), it receives every
 * training step of every trainer the facade creates: here it prints and keeps the losses.
 */
final class LossSink implements TrainingListener {
  private final PrintStream out;
  private final List<Double> losses = new ArrayList<>();

  LossSink(PrintStream out) {
    this.out = out;
  }

  @Override
  public void onStep(long step, Map<String, Double> metrics) {
    double loss = metrics.get("loss");
    losses.add(loss);
    out.printf(Locale.ROOT, "sink: step %d loss %.4f%n", step, loss);
  }

  /** The losses reported so far, one per step. */
  List<Double> losses() {
    return List.copyOf(losses);
  }
}
