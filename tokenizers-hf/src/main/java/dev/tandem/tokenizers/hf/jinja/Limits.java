package dev.tandem.tokenizers.hf.jinja;

/**
 * Bounds on one render of a template, so that an untrusted template cannot exhaust memory, time or
 * stack.
 *
 * @param maxOutputChars the most characters the output, or any string built on the way, may hold
 * @param maxLoopIterations the most loop iterations (and elements built by {@code range} or
 *     repetition) in the whole render, all loops together
 * @param maxCallDepth the deepest nesting of macro calls
 */
public record Limits(int maxOutputChars, long maxLoopIterations, int maxCallDepth) {
  /** Validates the bounds. */
  public Limits {
    if (maxOutputChars <= 0 || maxLoopIterations <= 0 || maxCallDepth <= 0) {
      throw new IllegalArgumentException("limits must be positive: " + maxOutputChars + ", "
          + maxLoopIterations + ", " + maxCallDepth);
    }
  }

  /** 1,000,000 characters, 1,000,000 loop iterations, macro calls 64 deep. */
  public static Limits defaults() {
    return new Limits(1_000_000, 1_000_000L, 64);
  }
}
