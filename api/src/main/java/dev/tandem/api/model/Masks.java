package dev.tandem.api.model;

import dev.tandem.api.tensor.HostTensor;

/** Additive attention biases built on the host (they are inputs or constants of a function). */
public final class Masks {
  /** The bias for a forbidden query-key pair: large enough to vanish in softmax, finite. */
  public static final float BLOCKED = -1e9f;

  private Masks() {}

  /** {@code [T, T]}: query {@code i} sees keys {@code 0..i}. */
  public static HostTensor causal(int t) {
    float[] b = new float[t * t];
    for (int i = 0; i < t; i++) {
      for (int j = i + 1; j < t; j++) {
        b[i * t + j] = BLOCKED;
      }
    }
    return HostTensor.of(b, t, t);
  }

  /**
   * {@code [B, 1, T, T]} for left-padded rows: causal, and no query sees a padding key.
   *
   * @param padding {@code [B][T]}, true where the token is padding
   */
  public static HostTensor causalWithPadding(boolean[][] padding) {
    int bsz = padding.length;
    int t = bsz == 0 ? 0 : padding[0].length;
    float[] b = new float[bsz * t * t];
    for (int r = 0; r < bsz; r++) {
      for (int i = 0; i < t; i++) {
        for (int j = 0; j < t; j++) {
          if (j > i || padding[r][j]) {
            b[(r * t + i) * t + j] = BLOCKED;
          }
        }
      }
    }
    return HostTensor.of(b, bsz, 1, t, t);
  }
}
