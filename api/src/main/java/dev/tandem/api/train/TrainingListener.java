package dev.tandem.api.train;

import java.nio.file.Path;
import java.util.Map;

/** Observes a {@link Trainer}: progress bars, plots, metric sinks. All methods default to no-ops. */
public interface TrainingListener {
  /** Training starts at {@code firstStep} (non-zero after a resume) of {@code totalSteps}. */
  default void onStart(long firstStep, long totalSteps) {}

  /** One update finished; {@code metrics} holds at least {@code loss} and {@code lr}. */
  default void onStep(long step, Map<String, Double> metrics) {}

  /** A log line was written to {@code metrics.jsonl}. */
  default void onLog(Map<String, Object> line) {}

  /** A checkpoint directory was completed. */
  default void onCheckpoint(long step, Path dir) {}

  /** Training ended normally. */
  default void onEnd(long step) {}
}
