package dev.tandem.cli;

import dev.tandem.api.train.MetricsLog;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Draws {@code loss.png} (training and evaluation loss against the step) from {@code metrics.jsonl}. */
final class LossPlot {
  private LossPlot() {}

  /** Writes the plot next to the metrics file; returns the PNG path (or null when nothing to plot). */
  static Path write(Path metricsFile, Path png, String title) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Map<String, Object>> lines = MetricsLog.read(metricsFile);
    List<Double> steps = new ArrayList<>();
    List<Double> loss = new ArrayList<>();
    List<Double> evalSteps = new ArrayList<>();
    List<Double> evalLoss = new ArrayList<>();
    for (Map<String, Object> l : lines) {
      if (l.get("step") instanceof Number s && l.get("loss") instanceof Number v) {
        steps.add(s.doubleValue());
        loss.add(v.doubleValue());
        if (l.get("eval_loss") instanceof Number e) {
          evalSteps.add(s.doubleValue());
          evalLoss.add(e.doubleValue());
        }
      }
    }
    if (steps.isEmpty()) {
      return null;
    }
    XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("step").yAxisTitle("loss (nats per token)").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.addSeries("train", steps, loss).setMarker(SeriesMarkers.NONE);
    if (!evalSteps.isEmpty()) {
      chart.addSeries("eval", evalSteps, evalLoss).setMarker(SeriesMarkers.CIRCLE);
    }
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
    BitmapEncoder.saveBitmap(chart, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return png;
  }
}
