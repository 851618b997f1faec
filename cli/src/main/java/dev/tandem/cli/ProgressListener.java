package dev.tandem.cli;

import dev.tandem.api.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: a progress bar on a terminal, a plain line per logged step otherwise
 * (CI logs, pipes).
 */
final class ProgressListener implements TrainingListener {
  private final String task;
  private final PrintWriter out;
  private final boolean terminal;
  private ProgressBar bar;

  ProgressListener(String task, PrintWriter out) {
    this(task, out, System.console() != null);
  }

  ProgressListener(String task, PrintWriter out, boolean terminal) {
    this.task = task;
    this.out = out;
    this.terminal = terminal;
  }

  @Override
  public void onStart(long firstStep, long totalSteps) {
    if (firstStep > 0) {
      out.printf("%s: resuming at step %d of %d%n", task, firstStep, totalSteps);
    }
    if (terminal) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(totalSteps)
              .startsFrom(firstStep, java.time.Duration.ZERO)
              .setStyle(ProgressBarStyle.ASCII)
              .setUpdateIntervalMillis(250)
              .continuousUpdate()
              .build();
    } else {
      out.printf("%s: %d steps%n", task, totalSteps);
    }
    out.flush();
  }

  @Override
  public void onStep(long step, Map<String, Double> metrics) {
    if (bar != null) {
      bar.stepTo(step);
      bar.setExtraMessage(String.format(" loss %.4f", metrics.get("loss")));
    }
  }

  @Override
  public void onLog(Map<String, Object> line) {
    if (bar == null) {
      StringBuilder sb = new StringBuilder(task).append(":");
      line.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
      out.println(sb);
      out.flush();
    }
  }

  @Override
  public void onCheckpoint(long step, Path dir) {
    if (bar == null) {
      out.printf("%s: saved %s%n", task, dir);
      out.flush();
    }
  }

  @Override
  public void onEnd(long step) {
    if (bar != null) {
      bar.stepTo(step);
      bar.close();
      bar = null;
    }
  }
}
