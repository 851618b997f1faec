package dev.tandem.cli;

import dev.tandem.api.inject.Workflow;
import java.util.HashMap;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Training-flag defaults of the commands whose method has its own recipe, where it differs from
 * {@link TrainingOptions}' SFT defaults: {@code spin} takes the recipe its workflow declares ({@link
 * dev.tandem.api.inject.Workflow#trainingDefaults()}: the SPIN paper's, from spin-module);
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
      super(() -> workflowDefaults(SpinCommand.NAME));
    }
  }

  /** For {@code tandem dpo}. */
  static final class Dpo extends PaperDefaults {
    Dpo() {
      super(() -> DPO);
    }
  }

  private final Supplier<Map<String, String>> source;
  private Map<String, String> values;

  /** @param source the defaults, looked up when first asked for (picocli creates providers eagerly) */
  private PaperDefaults(Supplier<Map<String, String>> source) {
    this.source = source;
  }

  /**
   * The training defaults of the workflow {@code name}, found through {@link ServiceLoader}
   * (without building the facade); none when no provider of that name loads.
   */
  private static Map<String, String> workflowDefaults(String name) {
    Map<String, String> out = new HashMap<>();
    try {
      for (ServiceLoader.Provider<Workflow> p : ServiceLoader.load(Workflow.class).stream().toList()) {
        try {
          Workflow w = p.get();
          if (w.name().equals(name)) {
            w.trainingDefaults().forEach((k, v) -> out.put("--" + k, v));
            break;
          }
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
          // skipped: the command reports it when the facade finds it
        }
      }
    } catch (ServiceConfigurationError e) {
      // none: the command reports the missing workflow
    }
    return out;
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (values == null) {
      values = source.get();
    }
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
