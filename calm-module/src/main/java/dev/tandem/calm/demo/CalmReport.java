package dev.tandem.calm.demo;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** The CALM experiment's accuracy table and plot ({@code calm_report.png}). */
final class CalmReport {
  /** Tasks, as in the report. */
  static final List<String> TASKS = List.of("kv_substitution", "numeric_arithmetic", "kv_arithmetic");

  /** Models, as in the report. */
  static final List<String> MODELS = List.of("m_A", "m_B", "calm", "lora", "full_finetune");

  private CalmReport() {}

  /** The accuracy table as Markdown, in percent. */
  static String table(Map<String, Map<String, Double>> accuracy) {
    StringBuilder sb = new StringBuilder("| task | m_A | m_B | CALM | LoRA on m_B | m_B fully fine-tuned |\n| --- | --- | --- | --- | --- | --- |\n");
    for (var row : accuracy.entrySet()) {
      sb.append("| ").append(row.getKey().replace('_', ' '));
      for (String m : MODELS) {
        sb.append(" | ").append(String.format(Locale.ROOT, "%.1f", 100 * row.getValue().get(m)));
      }
      sb.append(" |\n");
    }
    return sb.toString();
  }

  static Path plot(Map<String, Map<String, Double>> accuracy, Path png) throws Exception {
    System.setProperty("java.awt.headless", "true");
    CategoryChart chart =
        new CategoryChartBuilder().width(900).height(500).title("Key-value arithmetic, greedy exact match on held-out keys")
            .xAxisTitle("task").yAxisTitle("accuracy (%)").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisMax(100.0);
    List<String> names = List.of("m_A", "m_B", "CALM", "LoRA on m_B", "m_B fully fine-tuned");
    List<String> tasks = new ArrayList<>();
    for (String t : TASKS) {
      tasks.add(t.replace('_', ' '));
    }
    for (int i = 0; i < MODELS.size(); i++) {
      List<Double> ys = new ArrayList<>();
      for (String t : TASKS) {
        ys.add(100 * accuracy.get(t).get(MODELS.get(i)));
      }
      chart.addSeries(names.get(i), tasks, ys);
    }
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
    BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return png;
  }
}
