package dev.tandem.spin;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/** Draws {@code spin_report.png}: one bar chart per task and metric, the stages along the x axis. */
public final class SpinReportPlot {
  private static final int W = 520;
  private static final int H = 360;

  private SpinReportPlot() {}

  private record Cell(int row, int col, CategoryChart chart) {}

  /** Writes the plot; returns its path, or null when the report holds no measurement. */
  public static Path write(SpinReport report, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<Cell> charts = new ArrayList<>();
    for (int row = 0; row < report.tasks().size(); row++) {
      SpinReport.Task task = report.tasks().get(row);
      for (int col = 0; col < SpinReport.METRICS.size(); col++) {
        String metric = SpinReport.METRICS.get(col);
        List<String> stages = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (SpinReport.Stage s : task.stages()) {
          Double v = SpinReport.metric(s, metric);
          if (v != null && Double.isFinite(v)) {
            stages.add(SpinReport.label(s.stage()));
            values.add(Math.round(v * 1e4) / 1e4);
          }
        }
        if (values.isEmpty()) {
          continue;
        }
        CategoryChart chart =
            new CategoryChartBuilder().width(W).height(H).title(task.task() + ": " + metric).xAxisTitle("stage").yAxisTitle(metric).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.addSeries(metric, stages, values);
        charts.add(new Cell(row, col, chart));
      }
    }
    if (charts.isEmpty()) {
      return null;
    }
    // a grid, a row per task: xchart's own grid needs exactly rows x cols charts
    int cols = SpinReport.METRICS.size();
    int rows = report.tasks().size();
    java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(cols * W, rows * H, java.awt.image.BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = image.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    for (Cell c : charts) {
      java.awt.Graphics2D cell = (java.awt.Graphics2D) g.create(c.col() * W, c.row() * H, W, H);
      c.chart().paint(cell, W, H);
      cell.dispose();
    }
    g.dispose();
    Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
    javax.imageio.ImageIO.write(image, "png", tmp.toFile());
    Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return png;
  }

  /**
   * Writes {@code spin_report.json} and {@code spin_report.png} into {@code output} and prints the
   * table and where they landed.
   *
   * @return the plot, or null when the report holds no measurement
   */
  public static Path writeReport(SpinReport report, Path output, java.io.PrintWriter out) throws IOException {
    report.write(output.resolve(SpinReport.FILE));
    Path png = write(report, output.resolve("spin_report.png"));
    out.println();
    out.print(report.table());
    out.printf("report: %s%s%n", output.resolve(SpinReport.FILE), png == null ? "" : ", plot: " + png);
    out.flush();
    return png;
  }
}
