package dev.tandem.api.generate;

import java.util.Arrays;
import java.util.Random;

/** Chooses a token from one row of logits on the host: greedy, temperature, top-k, top-p. */
public final class Sampler {
  private final SamplingConfig config;
  private final Random random;

  public Sampler(SamplingConfig config) {
    this.config = config;
    this.random = new Random(config.seed());
  }

  /** The chosen token id for {@code logits[offset .. offset + vocab)}. */
  public int sample(float[] logits, int offset, int vocab) {
    if (config.isGreedy()) {
      return argmax(logits, offset, vocab);
    }
    double[] p = new double[vocab];
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < vocab; i++) {
      p[i] = logits[offset + i] / config.temperature();
      max = Math.max(max, p[i]);
    }
    if (config.topK() > 0 && config.topK() < vocab) {
      double[] sorted = p.clone();
      Arrays.sort(sorted);
      double kth = sorted[vocab - config.topK()];
      for (int i = 0; i < vocab; i++) {
        if (p[i] < kth) {
          p[i] = Double.NEGATIVE_INFINITY;
        }
      }
    }
    double sum = 0;
    for (int i = 0; i < vocab; i++) {
      p[i] = Math.exp(p[i] - max);
      sum += p[i];
    }
    for (int i = 0; i < vocab; i++) {
      p[i] /= sum;
    }
    if (config.topP() < 1f) {
      Integer[] order = new Integer[vocab];
      for (int i = 0; i < vocab; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
      double cum = 0;
      int keep = 0;
      while (keep < vocab && cum < config.topP()) {
        cum += p[order[keep]];
        keep++;
      }
      double kept = 0;
      for (int r = 0; r < vocab; r++) {
        if (r >= keep) {
          p[order[r]] = 0;
        } else {
          kept += p[order[r]];
        }
      }
      for (int i = 0; i < vocab; i++) {
        p[i] /= kept;
      }
    }
    double u = random.nextDouble();
    double cum = 0;
    for (int i = 0; i < vocab; i++) {
      cum += p[i];
      if (u < cum) {
        return i;
      }
    }
    return argmax(logits, offset, vocab);
  }

  /** Index of the largest logit (the first on ties). */
  public static int argmax(float[] logits, int offset, int vocab) {
    int best = 0;
    for (int i = 1; i < vocab; i++) {
      if (logits[offset + i] > logits[offset + best]) {
        best = i;
      }
    }
    return best;
  }
}
