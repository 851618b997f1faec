package dev.tandem.cli;

import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The defaults of the preference commands where they differ from {@link TrainingOptions}' SFT
 * defaults: the recipe of the SPIN paper and its official code (RMSProp, linear schedule, 10%
 * warmup, learning rate 5e-7, 2 epochs) and checkpoints every 100 steps, the newest 2 kept, so a run
 * resumes at step granularity. {@code dpo} uses the DPO paper's learning rate, 1e-6.
 */
class PaperDefaults implements IDefaultValueProvider {
  private static final Map<String, String> SPIN =
      Map.of(
          "--optimizer", "rmsprop",
          "--learning-rate", "5e-7",
          "--lr-scheduler-type", "linear",
          "--warmup-ratio", "0.1",
          "--epochs", "2",
          "--save-steps", "100",
          "--save-total-limit", "2");

  /** For {@code tandem spin}. */
  static final class Spin extends PaperDefaults {
    Spin() {
      super(SPIN);
    }
  }

  /** For {@code tandem dpo}: one epoch at 1e-6, otherwise as SPIN. */
  static final class Dpo extends PaperDefaults {
    Dpo() {
      super(with(with(SPIN, "--learning-rate", "1e-6"), "--epochs", "1"));
    }
  }

  private final Map<String, String> values;

  private PaperDefaults(Map<String, String> values) {
    this.values = values;
  }

  private static Map<String, String> with(Map<String, String> m, String key, String value) {
    Map<String, String> out = new java.util.HashMap<>(m);
    out.put(key, value);
    return Map.copyOf(out);
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
