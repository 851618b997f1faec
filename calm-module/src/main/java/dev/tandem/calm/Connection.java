package dev.tandem.calm;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One CALM connection: the hidden state after block {@code augmentLayer} of augmenting model {@code
 * augment} is projected to the anchor's width and cross-attended from the hidden state after block
 * {@code anchorLayer} of the anchor; the result is added there. Layers count blocks from 0.
 *
 * @param augment which augmenting model (0 for the first)
 * @param augmentLayer the augmenting model's block whose output is read
 * @param anchorLayer the anchor's block after which the result is added
 */
public record Connection(int augment, int augmentLayer, int anchorLayer) {
  public Connection {
    if (augment < 0 || augmentLayer < 0 || anchorLayer < 0) {
      throw new IllegalArgumentException("connection indices must be >= 0: " + augment + "/" + augmentLayer + ":" + anchorLayer);
    }
  }

  /**
   * Every {@code k}-th layer: anchor layers {@code k-1, 2k-1, ...} (so the last connection sits at
   * the anchor's last block when {@code k} divides its depth), each fed by the augmenting layer at
   * the same relative depth, {@code round((j + 1) * nA / nB) - 1}; for each augmenting model.
   *
   * @param anchorLayers the anchor's number of blocks
   * @param augmentLayers each augmenting model's number of blocks
   */
  public static List<Connection> every(int k, int anchorLayers, int[] augmentLayers) {
    if (k < 1) {
      throw new IllegalArgumentException("connect-every must be >= 1, not " + k);
    }
    if (k > anchorLayers) {
      throw new IllegalArgumentException(
          "connect-every " + k + " leaves no connection: the anchor has only " + anchorLayers + " layers");
    }
    List<Connection> out = new ArrayList<>();
    for (int a = 0; a < augmentLayers.length; a++) {
      for (int j = k - 1; j < anchorLayers; j += k) {
        int i = (int) Math.round((j + 1) * (double) augmentLayers[a] / anchorLayers) - 1;
        out.add(new Connection(a, Math.max(0, Math.min(augmentLayers[a] - 1, i)), j));
      }
    }
    return out;
  }

  /**
   * Parses explicit pairs {@code AUG_LAYER:ANCHOR_LAYER[,...]}; a pair may name its augmenting
   * model as {@code M/AUG_LAYER:ANCHOR_LAYER}, else it applies to every augmenting model.
   *
   * @throws IllegalArgumentException naming the malformed pair
   */
  public static List<Connection> parse(String spec, int augments) {
    Set<Connection> out = new LinkedHashSet<>();
    for (String raw : spec.split(",")) {
      String pair = raw.strip().toLowerCase(Locale.ROOT);
      if (pair.isEmpty()) {
        continue;
      }
      try {
        int slash = pair.indexOf('/');
        Integer model = slash < 0 ? null : Integer.parseInt(pair.substring(0, slash));
        String[] ab = pair.substring(slash + 1).split(":");
        if (ab.length != 2) {
          throw new NumberFormatException();
        }
        int a = Integer.parseInt(ab[0].strip());
        int b = Integer.parseInt(ab[1].strip());
        if (model != null) {
          out.add(new Connection(model, a, b));
        } else {
          for (int m = 0; m < augments; m++) {
            out.add(new Connection(m, a, b));
          }
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "connection '" + raw.strip() + "' is not AUG_LAYER:ANCHOR_LAYER (or M/AUG_LAYER:ANCHOR_LAYER), e.g. 1:1,3:3");
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no connections in '" + spec + "'");
    }
    return List.copyOf(out);
  }

  /** {@code M/AUG_LAYER:ANCHOR_LAYER}. */
  @Override
  public String toString() {
    return augment + "/" + augmentLayer + ":" + anchorLayer;
  }
}
