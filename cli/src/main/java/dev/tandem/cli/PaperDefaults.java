package dev.tandem.cli;

import dev.tandem.api.inject.Tandem;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Training-flag defaults of the commands whose method has its own recipe, where it differs from
 * {@link TrainingOptions}' SFT defaults: {@code spin} takes the recipe its workflow declares ({@link
 * dev.tandem.api.experiment.Workflow#trainingDefaults()}: the SPIN paper's, from spin-module);
 * {@code dpo} the DPO paper's learning rate, 1e-6, for one epoch, with RMSProp, a linear schedule,
 * 10% warmup and checkpoints every 100 steps, the newest 2 kept.
 */
class PaperDefaults implements IDefaultValueProvider {
  private static final Map<String, String> DPO =
      Map.of(
          "--optimizer", "rmsprop",
          "--learning-rate", "1e-6",
          "--lr-scheduler-type", "linear",
          "--warmup-ratio", "0.1",
          "--epochs", "1",
          "--save-steps", "100",
          "--save-total-limit", "2");

  /** For {@code tandem spin}: the recipe of the {@code spin} workflow (none when no plugin provides it). */
  static final class Spin extends PaperDefaults {
    Spin() {
      super(workflowDefaults(SpinCommand.NAME));
    }
  }

  /** For {@code tandem dpo}. */
  static final class Dpo extends PaperDefaults {
    Dpo() {
      super(DPO);
    }
  }

  private final Map<String, String> values;

  private PaperDefaults(Map<String, String> values) {
    this.values = values;
  }

  private static Map<String, String> workflowDefaults(String name) {
    var workflow = Tandem.builder().build().workflows().get(name);
    Map<String, String> out = new HashMap<>();
    if (workflow != null) {
      workflow.trainingDefaults().forEach((k, v) -> out.put("--" + k, v));
    }
    return out;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (arg instanceof OptionSpec o) {
      for (String name : o.names()) {
        String v = values.get(name);
        if (v != null) {
          return v;
        }
      }
    }
    return null;
  }
}
