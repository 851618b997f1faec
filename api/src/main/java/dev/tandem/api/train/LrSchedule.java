package dev.tandem.api.train;

/**
 * Learning rate as a function of the step: linear warmup from 0 over {@code warmupSteps}, then
 * constant, linear decay to 0, or cosine decay to 0 at {@code totalSteps}.
 */
public record LrSchedule(Kind kind, float peak, int warmupSteps, int totalSteps) {
  /** The decay after warmup. */
  public enum Kind {
    CONSTANT,
    LINEAR,
    COSINE;

    /** Parses {@code constant}, {@code linear} or {@code cosine}, case-insensitively. */
    public static Kind parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown learning-rate schedule '" + s + "', known: constant, linear, cosine");
      }
    }
  }

  public LrSchedule {
    if (!(peak >= 0) || warmupSteps < 0 || totalSteps < 1) {
      throw new IllegalArgumentException(
          "bad schedule: peak " + peak + ", warmup " + warmupSteps + ", total " + totalSteps);
    }
  }

  /** The rate for the update numbered {@code step} (0-based). */
  public float at(long step) {
    if (step < warmupSteps) {
      return peak * (step + 1) / (warmupSteps + 1);
    }
    double progress =
        totalSteps <= warmupSteps ? 1.0 : (double) (step - warmupSteps) / (totalSteps - warmupSteps);
    progress = Math.min(1.0, Math.max(0.0, progress));
    return switch (kind) {
      case CONSTANT -> peak;
      case LINEAR -> (float) (peak * (1.0 - progress));
      case COSINE -> (float) (peak * 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    };
  }
}
