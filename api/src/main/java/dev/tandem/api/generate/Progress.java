package dev.tandem.api.generate;

import dev.tandem.api.tensor.HostTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Per-row generated tokens and which rows have reached the end-of-sequence token. */
final class Progress {
  private final int[][] tokens;
  private final int[] counts;
  private final boolean[] done;
  private long generated;

  Progress(int rows, int maxNew) {
    tokens = new int[rows][maxNew];
    counts = new int[rows];
    done = new boolean[rows];
  }

  /** Samples one token per row from {@code logits [B, V]}; finished rows get the pad id. */
  int[] choose(HostTensor logits, Sampler sampler, int eosId, int padId, int tokenizerIds) {
    int b = tokens.length;
    int v = logits.shape().dim(1);
    int pickable = Math.min(v, tokenizerIds);
    float[] data = logits.floats();
    int[] next = new int[b];
    for (int r = 0; r < b; r++) {
      if (done[r]) {
        next[r] = padId;
        continue;
      }
      int t = sampler.sample(data, r * v, pickable);
      generated++;
      next[r] = t;
      if (t == eosId) {
        done[r] = true;
      } else {
        tokens[r][counts[r]++] = t;
        if (counts[r] == tokens[r].length) {
          done[r] = true;
        }
      }
    }
    return next;
  }

  boolean allDone() {
    for (boolean d : done) {
      if (!d) {
        return false;
      }
    }
    return true;
  }

  long generated() {
    return generated;
  }

  List<int[]> outputs() {
    List<int[]> out = new ArrayList<>();
    for (int r = 0; r < tokens.length; r++) {
      out.add(Arrays.copyOf(tokens[r], counts[r]));
    }
    return out;
  }
}
