package dev.tandem.cli;

import dev.tandem.api.data.Example;
import dev.tandem.api.data.PreferencePair;
import dev.tandem.api.data.SkipReport;
import dev.tandem.api.inject.Tandem;
import dev.tandem.api.compose.LoadedModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/** Reading training files for commands: skips are reported on the output, never silent. */
final class Datasets {
  private Datasets() {}

  /**
   * The examples of a JSONL file for {@code model}, read through the facade: those that do not fit
   * its context are skipped and reported as {@code task: file: skipped ...}, or are an error when
   * {@code strict}.
   *
   * @throws IllegalArgumentException if no example is left
   */
  static List<Example> examples(Tandem tandem, LoadedModel model, Path file, boolean strict, PrintWriter out, String task)
      throws IOException {
    SkipReport skips = strict ? SkipReport.strict() : SkipReport.collecting();
    List<Example> ex = tandem.examples(model, file, skips);
    report(file, skips, ex.isEmpty(), out, task, "examples");
    return ex;
  }

  /** The preference pairs of a JSONL file for {@code model}; skips reported as for examples. */
  static List<PreferencePair> pairs(Tandem tandem, LoadedModel model, Path file, boolean strict, PrintWriter out, String task)
      throws IOException {
    SkipReport skips = strict ? SkipReport.strict() : SkipReport.collecting();
    List<PreferencePair> pairs = tandem.preferencePairs(model, file, skips);
    report(file, skips, pairs.isEmpty(), out, task, "preference pairs");
    return pairs;
  }

  private static void report(Path file, SkipReport skips, boolean empty, PrintWriter out, String task, String what) {
    if (!skips.isEmpty()) {
      out.printf("%s: %s: %s%n", task, file, skips);
    }
    if (empty) {
      throw new IllegalArgumentException(file + ": no usable " + what);
    }
  }

  /**
   * The parameter count of a model for a command's first line: {@code N parameters}, or for a
   * composition {@code STRATEGY composition, T trainable parameters of N}.
   */
  static String describe(LoadedModel model) {
    long all = model.params().count(false);
    return model.composition()
        .map(c -> String.format("%s composition, %,d trainable parameters of %,d", c.strategy(), model.params().count(true), all))
        .orElse(String.format("%,d parameters", all));
  }
}
