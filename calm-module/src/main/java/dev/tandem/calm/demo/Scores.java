package dev.tandem.calm.demo;

import dev.tandem.calm.kv.KvArithmetic;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model's greedy answers to one task's items, scored: exact match per item, and where the
 * errors sit: per operand position, whether the operands written before {@code =} are right, and
 * whether the value is right when they are (the scratchpad splits lookup from arithmetic).
 */
record Scores(double[] exact, double[] operandsRight, double[][] perPosition, double valueGivenOperands) {
  /** Scores {@code outputs} against the items' completions, item by item. */
  static Scores of(List<KvArithmetic.Item> items, List<String> outputs) {
    int n = items.size();
    double[] exact = new double[n];
    double[] operands = new double[n];
    List<double[]> positions = new ArrayList<>();
    int valued = 0;
    int valueRight = 0;
    for (int i = 0; i < n; i++) {
      String ref = items.get(i).completion();
      String got = outputs.get(i).strip();
      exact[i] = ref.equals(got) ? 1 : 0;
      List<String> r = operands(ref);
      List<String> g = operands(got);
      boolean all = true;
      for (int k = 0; k < r.size(); k++) {
        while (positions.size() <= k) {
          positions.add(new double[n]);
        }
        boolean right = k < g.size() && r.get(k).equals(g.get(k));
        positions.get(k)[i] = right ? 1 : 0;
        all &= right;
      }
      all &= g.size() == r.size();
      operands[i] = all ? 1 : 0;
      if (all && ref.contains("=")) {
        valued++;
        valueRight += (int) exact[i];
      }
    }
    return new Scores(exact, operands, positions.toArray(new double[0][]), valued == 0 ? Double.NaN : (double) valueRight / valued);
  }

  /** The fraction of exact matches. */
  double accuracy() {
    return mean(exact);
  }

  /** {@code operand_1}, {@code operand_2}, ...: the fraction right at each position; then {@code all_operands} and {@code value_given_operands}. */
  Map<String, Double> breakdown() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int k = 0; k < perPosition.length; k++) {
      m.put("operand_" + (k + 1), mean(perPosition[k]));
    }
    m.put("all_operands", mean(operandsRight));
    m.put("value_given_operands", valueGivenOperands);
    return m;
  }

  /** The operands of {@code 7+3=10} or {@code 7+3}: the digits before {@code =}, split at the operators. */
  static List<String> operands(String answer) {
    int eq = answer.indexOf('=');
    String lhs = eq < 0 ? answer : answer.substring(0, eq);
    List<String> out = new ArrayList<>();
    for (String s : lhs.split("[+-]", -1)) {
      out.add(s);
    }
    return out;
  }

  static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return v.length == 0 ? Double.NaN : s / v.length;
  }
}
