package dev.tandem.spin.demo;

import dev.tandem.api.train.Intervals;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Draws {@code spin_report.png} of {@code tandem demo spin}: a row per task; per metric a bar chart
 * of SPIN and continued SFT by iteration (the SFT start first), each bar the mean over seeds with its
 * 95% interval as an error bar; last, each seed's SFT validation curve by epoch, so that the flat
 * tail before early stopping shows.
 */
public final class SpinDemoPlot {
  private static final int W = 520;
  private static final int H = 360;

  private SpinDemoPlot() {}

  /** Writes the plot atomically and returns its path. */
  public static Path write(SpinDemoReport report, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int cols = SpinDemoReport.METRICS.size() + 1;
    int rows = report.tasks().size();
    BufferedImage image = new BufferedImage(cols * W, Math.max(1, rows) * H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    for (int row = 0; row < rows; row++) {
      SpinDemoReport.TaskResult t = report.tasks().get(row);
      for (int col = 0; col < SpinDemoReport.METRICS.size(); col++) {
        CategoryChart c = metricChart(t, SpinDemoReport.METRICS.get(col), report.seeds().size());
        if (c != null) {
          paint(g, c, col, row);
        }
      }
      paint(g, curveChart(t), cols - 1, row);
    }
    g.dispose();
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
    javax.imageio.ImageIO.write(image, "png", tmp.toFile());
    Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return png;
  }

  private static void paint(Graphics2D g, Chart<?, ?> chart, int col, int row) {
    Graphics2D cell = (Graphics2D) g.create(col * W, row * H, W, H);
    chart.paint(cell, W, H);
    cell.dispose();
  }

  private static CategoryChart metricChart(SpinDemoReport.TaskResult t, String metric, int seeds) {
    CategoryChart chart = null;
    for (String method : List.of("iter", "continued_sft")) {
      List<String> x = new ArrayList<>();
      List<Double> y = new ArrayList<>();
      List<Double> err = new ArrayList<>();
      add(x, y, err, "SFT", t.stage("sft").interval(metric));
      for (int i = 0; i < t.iterations(); i++) {
        add(x, y, err, String.valueOf(i), t.stage(method + i).interval(metric));
      }
      if (y.isEmpty()) {
        return null;
      }
      if (chart == null) {
        chart = new CategoryChartBuilder().width(W).height(H).title(t.task() + ": " + metric + " (test, " + seeds + " seeds, 95% CI)")
            .xAxisTitle("iteration").yAxisTitle(metric).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
      }
      chart.addSeries(method.equals("iter") ? "SPIN" : "continued SFT", x, y, err);
    }
    return chart;
  }

  private static void add(List<String> x, List<Double> y, List<Double> err, String label, Intervals.Interval i) {
    if (i == null || !Double.isFinite(i.mean())) {
      return;
    }
    x.add(label);
    y.add(i.mean());
    err.add(Double.isFinite(i.high()) ? i.high() - i.mean() : 0.0);
  }

  private static XYChart curveChart(SpinDemoReport.TaskResult t) {
    XYChart chart = new XYChartBuilder().width(W).height(H).title(t.task() + ": SFT, validation NLL by epoch")
        .xAxisTitle("epoch").yAxisTitle("validation NLL").build();
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
    for (SpinDemoReport.SftRun r : t.sft()) {
      List<Integer> x = new ArrayList<>();
      for (int e = 1; e <= r.validation().size(); e++) {
        x.add(e);
      }
      chart.addSeries("seed " + r.seed() + " (best " + r.bestEpoch() + ")", x, r.validation());
    }
    return chart;
  }
}
