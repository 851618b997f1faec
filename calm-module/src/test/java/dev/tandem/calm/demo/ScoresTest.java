package dev.tandem.calm.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tandem.calm.kv.KvArithmetic.Item;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scoring answers item by item, the error breakdown, and the ablation rows. */
class ScoresTest {
  @Test
  void exactMatchAndWhereTheErrorsSit() {
    List<Item> items = List.of(new Item("sum ab+cd", "7+3=10"), new Item("sum ef-gh", "4-9=-5"), new Item("sum ij+kl", "1+1=2"), new Item("sum mn+op", "2+2=4"));
    Scores s = Scores.of(items, List.of("7+3=10", "4-8=-4", "1+1=3", "5"));
    assertEquals(List.of(1.0, 0.0, 0.0, 0.0), java.util.Arrays.stream(s.exact()).boxed().toList());
    assertEquals(0.25, s.accuracy());
    Map<String, Double> b = s.breakdown();
    assertEquals(List.of("operand_1", "operand_2", "all_operands", "value_given_operands"), List.copyOf(b.keySet()));
    assertEquals(0.75, b.get("operand_1"), "the fourth answer's first operand is wrong");
    assertEquals(0.5, b.get("operand_2"));
    assertEquals(0.5, b.get("all_operands"));
    assertEquals(0.5, b.get("value_given_operands"), "right operands, wrong value once in two");
    // substitution answers have no value
    Scores sub = Scores.of(List.of(new Item("val ab+cd", "7+3")), List.of("7+3"));
    assertEquals(Double.NaN, sub.breakdown().get("value_given_operands"));
  }

  @Test
  void ablationRowsUndoOneDepartureEachAndIncludeThePapersComposition() {
    Variant ours = new Variant("calm", "ours", true, true, 0, true, 0);
    List<Variant> rows = Variant.ablations(ours);
    assertEquals(List.of("calm_paper", "calm_no_layer_norms", "calm_no_recency", "calm_no_distractors", "calm_one_cross_head", "calm_substitution"),
        rows.stream().map(Variant::name).toList());
    assertEquals(new Variant("calm_one_cross_head", rows.get(4).label(), true, true, 1, true, 0), rows.get(4), "ours with one cross-attention head");
    Variant paper = rows.get(0);
    assertEquals(new Variant("calm_paper", paper.label(), false, false, 0, false, 0), paper);
    assertEquals(Map.of("layer_norms", "false", "recency", "false", "cross_heads", "0"), paper.strategyOptions(0));
    // ours with other heads: the row gives it the anchor's (the paper's)
    List<Variant> twoHeads = Variant.ablations(new Variant("calm", "ours", true, true, 2, true, 0));
    assertEquals(0, twoHeads.stream().filter(v -> v.name().equals("calm_anchor_cross_heads")).findFirst().orElseThrow().crossHeads());
  }
}
