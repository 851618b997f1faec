package dev.tandem.calm.demo;

import dev.tandem.api.bench.Benchmark;
import dev.tandem.api.bench.Benchmark.Profiled;
import dev.tandem.api.engine.OpProfile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where CALM's generation spends its time beyond its two bases run separately, op by op: one
 * profiled cached generation of the composition and of each base on the same prompts, the bases'
 * profiles summed, and per op the calls and typical time ({@link OpProfile.Op#typicalMillis()}) of
 * each side and their difference.
 */
final class InferenceProfile {
  private InferenceProfile() {}

  /** Per op: {calls, typical ms} summed over {@code runs}. */
  private static Map<String, double[]> sum(List<Profiled> runs) {
    Map<String, double[]> m = new TreeMap<>();
    for (Profiled p : runs) {
      for (OpProfile.Op op : p.profile().orElseThrow().ops()) {
        double[] a = m.computeIfAbsent(op.name(), k -> new double[2]);
        a[0] += op.calls();
        a[1] += op.typicalMillis();
      }
    }
    return m;
  }

  /**
   * The comparison as a report entry ({@code profiled} as {@link Stages#bench} returns it, the
   * composition first), or null when the engine has no profiler.
   */
  static Map<String, Object> of(List<Profiled> profiled, int topOps) {
    if (profiled.isEmpty() || profiled.stream().anyMatch(p -> p.profile().isEmpty())) {
      return null;
    }
    List<Profiled> calm = profiled.subList(0, 1);
    List<Profiled> bases = profiled.subList(1, profiled.size());
    Map<String, double[]> c = sum(calm);
    Map<String, double[]> b = sum(bases);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("calm", totals(c));
    out.put("bases_separately", totals(b));
    List<Map<String, Object>> ops = new ArrayList<>();
    java.util.Set<String> names = new java.util.TreeSet<>(c.keySet());
    names.addAll(b.keySet());
    for (String n : names) {
      double[] x = c.getOrDefault(n, new double[2]);
      double[] y = b.getOrDefault(n, new double[2]);
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("op", n);
      row.put("calm_calls", (long) x[0]);
      row.put("calm_ms", round(x[1]));
      row.put("bases_calls", (long) y[0]);
      row.put("bases_ms", round(y[1]));
      row.put("difference_ms", round(x[1] - y[1]));
      ops.add(row);
    }
    ops.sort(Comparator.comparingDouble((Map<String, Object> r) -> -Math.abs((double) r.get("difference_ms"))).thenComparing(r -> (String) r.get("op")));
    out.put("ops", ops.subList(0, Math.min(topOps, ops.size())));
    return out;
  }

  private static Map<String, Object> totals(Map<String, double[]> ops) {
    double calls = 0;
    double nativeMs = 0;
    for (double[] a : ops.values()) {
      calls += a[0];
      nativeMs += a[1];
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("native_ms", round(nativeMs));
    m.put("native_op_calls", (long) calls);
    return m;
  }

  /** The entry as Markdown. */
  @SuppressWarnings("unchecked")
  static String markdown(Map<String, Object> p, int batch, int newTokens) {
    Map<String, Object> c = (Map<String, Object>) p.get("calm");
    Map<String, Object> b = (Map<String, Object>) p.get("bases_separately");
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "CALM against m_A + m_B run separately, op by op (cached generation, batch %d, %d new tokens, "
        + "PyTorch's profiler, the least over %d profiled runs; an op's time is its calls times the median time of one call, so that the "
        + "profiler's own stalls (it pauses when its event buffer passes 2^14 and 2^15 events) and other odd long calls do not count; "
        + "the profiler adds its own cost to every call, so compare within this table, not with the ratio above):%n%n", batch, newTokens,
        Benchmark.PROFILED_RUNS));
    sb.append("| | CALM | m_A + m_B | CALM / (m_A + m_B) |\n| --- | --- | --- | --- |\n");
    for (String k : List.of("native_op_calls", "native_ms")) {
      double x = CalmReport.num(c.get(k));
      double y = CalmReport.num(b.get(k));
      sb.append(String.format(Locale.ROOT, k.equals("native_ms") ? "| %s | %.1f | %.1f | %.3f |%n" : "| %s | %.0f | %.0f | %.3f |%n",
          k.equals("native_ms") ? "time in native ops (calls x median), ms" : "native op calls", x, y, x / y));
    }
    sb.append("\n| op | CALM calls | CALM ms | m_A + m_B calls | m_A + m_B ms | difference, ms |\n| --- | --- | --- | --- | --- | --- |\n");
    for (Map<String, Object> r : (List<Map<String, Object>>) p.get("ops")) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %d | %.1f | %+.1f |%n", r.get("op"), r.get("calm_calls"), CalmReport.num(r.get("calm_ms")),
          r.get("bases_calls"), CalmReport.num(r.get("bases_ms")), CalmReport.num(r.get("difference_ms"))));
    }
    return sb.toString();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
