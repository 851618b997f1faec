package dev.tandem.cli;

import dev.tandem.api.train.TrainingListener;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows training progress: a progress bar on a terminal, a plain line per logged step otherwise
 * (CI logs, pipes). The bar shows each step's loss; a logged line's {@code loss} is the mean over
 * the steps since the line before, as in {@code metrics.jsonl}; {@link #lossSummary} names which
 * of them a command's last line reports.
 */
final class ProgressListener implements TrainingListener {
  private final String task;
  private final PrintWriter out;
  private final boolean terminal;
  private ProgressBar bar;
  private long windowFirst = 1;
  private long lastLogFirst;
  private Map<String, Object> lastLog;

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
    windowFirst = firstStep + 1;
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
      bar.setExtraMessage(String.format(Locale.ROOT, " step loss %.4f", metrics.get("loss")));
    }
  }

  @Override
  public void onLog(Map<String, Object> line) {
    lastLog = line;
    lastLogFirst = windowFirst;
    windowFirst = ((Number) line.get("step")).longValue() + 1;
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

  /**
   * The losses of the run's end, each named for what it is: the training loss of the last logged
   * line (the mean over the steps it covers, e.g. {@code loss 2.3456 (training, mean of steps
   * 11-20)}) and, when there was evaluation data, {@code eval_loss 2.4567 (held-out)}.
   */
  String lossSummary(Double evalLoss) {
    if (lastLog == null) {
      return "no steps trained";
    }
    long last = ((Number) lastLog.get("step")).longValue();
    String steps = last == lastLogFirst ? "step " + last : "steps " + lastLogFirst + "-" + last;
    String s = String.format(Locale.ROOT, "loss %.4f (training, mean of %s)", ((Number) lastLog.get("loss")).doubleValue(), steps);
    return evalLoss == null ? s : s + String.format(Locale.ROOT, ", eval_loss %.4f (held-out)", evalLoss);
  }
}
