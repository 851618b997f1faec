package dev.tandem.api.generate;

import dev.tandem.api.tensor.HostTensor;
import java.util.List;

/** Left-padded prompt rows: ids, per-row position ids and the padding pattern. */
record Rows(HostTensor ids, HostTensor positions, boolean[][] padding, int[] lengths) {
  static Rows leftPadded(List<int[]> prompts, int t, int padId) {
    int b = prompts.size();
    int[] ids = new int[b * t];
    int[] pos = new int[b * t];
    boolean[][] pad = new boolean[b][t];
    int[] lengths = new int[b];
    for (int r = 0; r < b; r++) {
      int[] p = prompts.get(r);
      int offset = t - p.length;
      lengths[r] = p.length;
      for (int s = 0; s < t; s++) {
        if (s < offset) {
          ids[r * t + s] = padId;
          pad[r][s] = true;
        } else {
          ids[r * t + s] = p[s - offset];
          pos[r * t + s] = s - offset;
        }
      }
    }
    return new Rows(HostTensor.ofInts(ids, b, t), HostTensor.ofInts(pos, b, t), pad, lengths);
  }
}
