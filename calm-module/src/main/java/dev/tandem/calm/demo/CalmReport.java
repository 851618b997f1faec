package dev.tandem.calm.demo;

import dev.tandem.api.train.Intervals;
import dev.tandem.api.train.Intervals.Interval;
import dev.tandem.api.train.Intervals.Verdict;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * The CALM experiment's results over seeds: per split, task and model the per-seed accuracies and
 * their mean with a 95% t interval over seeds ({@link Intervals#overSeeds}); the comparisons, each
 * a paired t interval over seeds ({@link Intervals#pairedDifference}) and its {@link Verdict};
 * where CALM's errors sit; the Markdown tables and the plot ({@code calm_report.png}, test split,
 * error bars the intervals' half widths). Nothing here depends on timing: equal inputs give equal
 * reports.
 */
final class CalmReport {
  /** Tasks, as in the report. */
  static final List<String> TASKS = List.of("kv_substitution", "numeric_arithmetic", "kv_arithmetic");

  /** The main models, as in the report. */
  static final List<String> MODELS = List.of("m_A", "m_B", "calm", "lora", "full_finetune");

  private static final Map<String, String> NAMES =
      Map.of("m_A", "m_A", "m_B", "m_B", "calm", "CALM", "lora", "LoRA on m_B", "full_finetune", "m_B fully fine-tuned");

  private CalmReport() {}

  /** Per-seed accuracies {@code [split][task][model] -> double[seed]}. */
  static Map<String, Map<String, Map<String, double[]>>> perSeed(List<SeedRun.Result> runs) {
    Map<String, Map<String, Map<String, double[]>>> out = new LinkedHashMap<>();
    SeedRun.Result first = runs.get(0);
    for (var split : first.scores().entrySet()) {
      Map<String, Map<String, double[]>> tasks = new LinkedHashMap<>();
      for (var task : split.getValue().entrySet()) {
        Map<String, double[]> models = new LinkedHashMap<>();
        for (String model : task.getValue().keySet()) {
          double[] v = new double[runs.size()];
          for (int s = 0; s < runs.size(); s++) {
            v[s] = runs.get(s).scores().get(split.getKey()).get(task.getKey()).get(model).accuracy();
          }
          models.put(model, v);
        }
        tasks.put(task.getKey(), models);
      }
      out.put(split.getKey(), tasks);
    }
    return out;
  }

  /** {@code {"per_seed": [...], "mean": m, "low": l, "high": h}}, rounded to 4 decimals. */
  static Map<String, Object> cell(double[] perSeed) {
    Interval i = Intervals.overSeeds(perSeed);
    Map<String, Object> m = new LinkedHashMap<>();
    List<Double> v = new ArrayList<>();
    for (double x : perSeed) {
      v.add(round(x));
    }
    m.put("per_seed", v);
    m.put("mean", round(i.mean()));
    m.put("low", round(i.low()));
    m.put("high", round(i.high()));
    return m;
  }

  /**
   * A comparison {@code a - b} over seeds (paired by seed): its interval and verdict, as a report
   * entry.
   */
  static Map<String, Object> compare(String claim, double[] a, double[] b) {
    Interval d = Intervals.pairedDifference(a, b);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("claim", claim);
    m.put("difference", round(d.mean()));
    m.put("low", round(d.low()));
    m.put("high", round(d.high()));
    m.put("verdict", Verdict.of(d).label());
    return m;
  }

  /** The per-seed maximum over {@code models}. */
  static double[] best(Map<String, double[]> row, List<String> models) {
    double[] out = null;
    for (String m : models) {
      double[] v = row.get(m);
      if (out == null) {
        out = v.clone();
      } else {
        for (int i = 0; i < out.length; i++) {
          out[i] = Math.max(out[i], v[i]);
        }
      }
    }
    return out;
  }

  /** The accuracy table of {@code split} in percent, {@code mean [low, high]} over seeds, for {@code models}. */
  static String table(Map<String, Map<String, Map<String, Object>>> split, List<String> models, Map<String, String> names) {
    StringBuilder sb = new StringBuilder("| task |");
    StringBuilder rule = new StringBuilder("| --- |");
    for (String m : models) {
      sb.append(' ').append(names.getOrDefault(m, m)).append(" |");
      rule.append(" --- |");
    }
    sb.append('\n').append(rule).append('\n');
    for (var task : split.entrySet()) {
      sb.append("| ").append(task.getKey().replace('_', ' '));
      for (String m : models) {
        sb.append(" | ").append(percent(task.getValue().get(m)));
      }
      sb.append(" |\n");
    }
    return sb.toString();
  }

  /** The main table: test split, the five main models. */
  static String mainTable(Map<String, Map<String, Map<String, Object>>> test) {
    return table(test, MODELS, NAMES);
  }

  /** {@code 93.5 [90.1, 96.9]} from a cell. */
  @SuppressWarnings("unchecked")
  static String percent(Object cell) {
    Map<String, Object> c = (Map<String, Object>) cell;
    return String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", 100 * num(c.get("mean")), 100 * num(c.get("low")), 100 * num(c.get("high")));
  }

  /** The comparisons as Markdown lines. */
  static String comparisons(List<Map<String, Object>> list) {
    StringBuilder sb = new StringBuilder("| comparison (test split, paired over seeds) | difference [95% interval], points | verdict |\n| --- | --- | --- |\n");
    for (Map<String, Object> c : list) {
      sb.append(String.format(Locale.ROOT, "| %s | %+.1f [%+.1f, %+.1f] | %s |%n", c.get("claim"), 100 * num(c.get("difference")), 100 * num(c.get("low")),
          100 * num(c.get("high")), c.get("verdict")));
    }
    return sb.toString();
  }

  static double num(Object o) {
    return ((Number) o).doubleValue();
  }

  static double round(double v) {
    return Double.isNaN(v) ? Double.NaN : Math.round(v * 10000) / 10000.0;
  }

  /** The test split's accuracies with error bars (95% interval half widths; t intervals are symmetric). */
  @SuppressWarnings("unchecked")
  static Path plot(Map<String, Map<String, Map<String, Object>>> test, int seeds, Path png) throws Exception {
    System.setProperty("java.awt.headless", "true");
    CategoryChart chart =
        new CategoryChartBuilder().width(900).height(500).title("Key-value arithmetic, test keys: mean over " + seeds + " seeds, 95% t interval")
            .xAxisTitle("task").yAxisTitle("accuracy (%)").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(100.0);
    List<String> tasks = new ArrayList<>();
    for (String t : TASKS) {
      tasks.add(t.replace('_', ' '));
    }
    for (String m : MODELS) {
      List<Double> ys = new ArrayList<>();
      List<Double> errs = new ArrayList<>();
      for (String t : TASKS) {
        Map<String, Object> c = (Map<String, Object>) (Object) test.get(t).get(m);
        ys.add(100 * num(c.get("mean")));
        errs.add(100 * (num(c.get("high")) - num(c.get("mean"))));
      }
      chart.addSeries(NAMES.get(m), tasks, ys, errs);
    }
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
    BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return png;
  }
}
