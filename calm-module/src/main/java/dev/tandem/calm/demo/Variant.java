package dev.tandem.calm.demo;

import dev.tandem.calm.CalmStrategy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CALM setting of the ablation table: the connection's switches, which m_B it composes with (one
 * trained with or without the random-text {@code sum <letters>} prompts), and the share of KV
 * substitution examples in the composition's training data.
 *
 * @param name the report's key, e.g. {@code calm_paper}
 * @param label what differs, for the table
 * @param layerNorms the LayerNorms before f_proj and the query
 * @param recency the trainable ALiBi recency bias
 * @param crossHeads cross-attention heads (0: the anchor's)
 * @param distractors m_B trained with the {@code sum <letters>} prompts
 * @param substitution the fraction of the composition data that is KV substitution over the
 *     composition's keys
 */
record Variant(String name, String label, boolean layerNorms, boolean recency, int crossHeads, boolean distractors, double substitution) {
  /** The strategy options of this variant's connection. */
  Map<String, String> strategyOptions(int connectEvery) {
    Map<String, String> m = new LinkedHashMap<>();
    if (connectEvery > 0) {
      m.put(CalmStrategy.CONNECT_EVERY, Integer.toString(connectEvery));
    }
    m.put(CalmStrategy.LAYER_NORMS, Boolean.toString(layerNorms));
    m.put(CalmStrategy.RECENCY, Boolean.toString(recency));
    m.put(CalmStrategy.CROSS_HEADS, Integer.toString(crossHeads));
    return m;
  }

  /**
   * The ablation rows around {@code main} (the demo's CALM): the paper's composition (no
   * LayerNorms, no recency bias, m_B without distractors, no substitution examples), then each
   * departure of {@code main} from it undone alone, one cross-attention head (or the anchor's, when
   * {@code main} has another number), and substitution examples added when {@code main} has none.
   */
  static List<Variant> ablations(Variant main) {
    List<Variant> out = new java.util.ArrayList<>();
    out.add(new Variant("calm_paper", "the paper's: no LayerNorms, no recency bias, m_B without distractors", false, false, main.crossHeads, false, 0));
    if (main.layerNorms) {
      out.add(main.with("calm_no_layer_norms", "without the LayerNorms", false, main.recency, main.distractors, main.substitution));
    }
    if (main.recency) {
      out.add(main.with("calm_no_recency", "without the recency bias", main.layerNorms, false, main.distractors, main.substitution));
    }
    if (main.distractors) {
      out.add(main.with("calm_no_distractors", "m_B trained without the sum <letters> prompts", main.layerNorms, main.recency, false, main.substitution));
    }
    // the heads are the paper's (the anchor's) by default: the row shows what fewer would do
    if (main.crossHeads == 0) {
      out.add(new Variant("calm_one_cross_head", "one cross-attention head instead of the anchor's", main.layerNorms, main.recency, 1, main.distractors,
          main.substitution));
    } else {
      out.add(new Variant("calm_anchor_cross_heads", "the anchor's cross-attention heads (the paper's)", main.layerNorms, main.recency, 0, main.distractors,
          main.substitution));
    }
    if (main.substitution == 0) {
      out.add(main.with("calm_substitution", "25% KV substitution examples in the composition data", main.layerNorms, main.recency, main.distractors, 0.25));
    } else {
      out.add(main.with("calm_no_substitution", "no KV substitution examples in the composition data", main.layerNorms, main.recency, main.distractors, 0));
    }
    return out;
  }

  private Variant with(String n, String l, boolean ln, boolean rec, boolean distr, double subst) {
    return new Variant(n, l, ln, rec, crossHeads, distr, subst);
  }
}
