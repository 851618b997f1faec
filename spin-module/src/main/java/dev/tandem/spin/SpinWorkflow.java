package dev.tandem.spin;

import dev.tandem.api.inject.Workflow;
import dev.tandem.api.inject.WorkflowContext;
import dev.tandem.api.objective.PreferenceObjective;
import dev.tandem.api.option.OptionSpec;
import dev.tandem.api.option.OptionValues;
import dev.tandem.api.train.TrainingListener;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * {@code tandem spin}: the {@link SelfPlay} loop from the command's model (plain or composed: a
 * composition trains its new parameters only) on the prompts of its SFT data, then {@code
 * spin_report.json} and {@code spin_report.png}. Its training defaults are the recipe of the SPIN
 * paper and its official code: RMSProp, linear schedule, 10% warmup, learning rate 5e-7, 2 epochs
 * per iteration, and checkpoints every 100 steps, the newest 2 kept, so a run resumes at step
 * granularity.
 */
public final class SpinWorkflow implements Workflow {
  /** The SPIN paper's recipe, as training flags (without dashes) and values. */
  public static final Map<String, String> PAPER_DEFAULTS =
      Map.of(
          "optimizer", "rmsprop",
          "learning-rate", "5e-7",
          "lr-scheduler-type", "linear",
          "warmup-ratio", "0.1",
          "epochs", "2",
          "save-steps", "100",
          "save-total-limit", "2");

  private static final List<OptionSpec> OPTIONS =
      List.of(
          new OptionSpec("iterations", Integer.class, "4", "self-play iterations, iter0..iter<N-1>"),
          new OptionSpec("mix-previous", Boolean.class, "true", "iteration t also trains on iteration t-1's generations"),
          new OptionSpec("max-new-tokens", Integer.class, "0", "response length limit of the opponent; 0: the longest real response"),
          new OptionSpec("temperature", Float.class, "1.0", "sampling temperature of the opponent"),
          new OptionSpec("top-p", Float.class, "1.0", "nucleus sampling threshold"),
          new OptionSpec("generation-batch-size", Integer.class, "64", "prompts generated together"),
          new OptionSpec("exact-match", Boolean.class, "true", "also measure greedy exact match on the held-out data"));

  @Override
  public String name() {
    return "spin";
  }

  @Override
  public String description() {
    return "Self-Play Fine-Tuning (Chen et al. 2024): each iteration the model answers every prompt and its successor learns to prefer the human answers";
  }

  @Override
  public String objective() {
    return SpinObjective.NAME;
  }

  @Override
  public List<OptionSpec> options() {
    return OPTIONS;
  }

  @Override
  public Map<String, String> trainingDefaults() {
    return PAPER_DEFAULTS;
  }

  @Override
  public void run(WorkflowContext ctx) throws Exception {
    if (!(ctx.objective() instanceof PreferenceObjective objective)) {
      throw new IllegalArgumentException("spin trains with a preference objective, not '" + ctx.objective().name() + "'");
    }
    OptionValues o = ctx.options();
    SpinConfig config =
        new SpinConfig(o.getInt("iterations"), objective, ctx.training(), ctx.optimizer(), ctx.batchSize(), o.getBoolean("mix-previous"),
            o.getInt("max-new-tokens"), o.getFloat("temperature"), o.getFloat("top-p"), o.getInt("generation-batch-size"), o.getBoolean("exact-match"), ctx.seed());
    SelfPlay.Result r =
        new SelfPlay(ctx.tandem(), ctx.engine(), ctx.model(), config, ctx.output())
            .addListener(listener(ctx))
            .run(ctx.train(), ctx.eval(), ctx.strict() ? dev.tandem.api.data.SkipReport.strict() : dev.tandem.api.data.SkipReport.collecting(), ctx.resume());
    SpinReport report = new SpinReport(List.of(SpinReport.task(ctx.evalName(), r.stages())));
    SpinReportPlot.writeReport(report, ctx.output(), ctx.out());
  }

  /** Prints progress: messages, a line per stage, the trainer's progress per iteration. */
  private static SelfPlay.Listener listener(WorkflowContext ctx) {
    PrintWriter out = ctx.out();
    return new SelfPlay.Listener() {
      @Override
      public void onMessage(String message) {
        out.println(message);
        out.flush();
      }

      @Override
      public TrainingListener training(int iteration) {
        return ctx.progress().apply("iter" + iteration);
      }

      @Override
      public void onStage(Map<String, Object> line) {
        out.println(line.get("stage") + ": " + SpinReport.summary(line));
        out.flush();
      }
    };
  }
}
